import { renderTemplate } from "./rich-text.js";
import type { Button, Locale, OutboundMessage } from "./types.js";

export interface AnswerTemplate {
  text: string;
  /** intent ids or `menu`, `human_handoff`, `lang.vi`, `lang.en` */
  buttons: string[];
}

export interface AnswerContent {
  answers: Record<Locale, Record<string, AnswerTemplate>>;
  facts: Record<string, string>;
  /** button labels per locale, by target id */
  labels: Record<Locale, Record<string, string>>;
  /** the topic menu, as target ids */
  menu: string[];
}

/** A button's payload: "#" + target id. Typed back as text it follows the button on every channel. */
export const BUTTON_PREFIX = "#";

export function payloadFor(target: string): string {
  return `${BUTTON_PREFIX}${target}`;
}

export class AnswerBook {
  constructor(private content: AnswerContent) {}

  /** Swaps in new content at once (the console's live knowledge edits); the next answer uses it. */
  replace(content: AnswerContent): void {
    this.content = content;
  }

  /** The content in use, for the knowledge editor; treat as read-only. */
  get current(): AnswerContent {
    return this.content;
  }

  has(intent: string, locale: Locale): boolean {
    return this.content.answers[locale][intent] !== undefined;
  }

  /** The answer for an intent in a locale, with facts and `extra` values filled in. */
  answer(intent: string, locale: Locale, extra: Record<string, string | number> = {}): OutboundMessage {
    const template = this.content.answers[locale][intent] ?? this.content.answers.vi[intent];
    if (!template) throw new Error(`no answer template for ${intent}`);
    return {
      text: renderTemplate(template.text, { ...this.content.facts, ...extra }),
      buttons: this.buttons(template.buttons, locale),
    };
  }

  buttons(targets: string[], locale: Locale): Button[] {
    return targets.map((target) => ({ label: this.label(target, locale), payload: payloadFor(target) }));
  }

  menuButtons(locale: Locale): Button[] {
    return this.buttons(this.content.menu, locale);
  }

  label(target: string, locale: Locale): string {
    return this.content.labels[locale][target] ?? this.content.labels.vi[target] ?? target;
  }

  fact(name: string): string | undefined {
    return this.content.facts[name];
  }

  knowsTarget(target: string): boolean {
    return (
      this.content.answers.vi[target] !== undefined ||
      target === "menu" ||
      target === "lang.vi" ||
      target === "lang.en"
    );
  }
}
