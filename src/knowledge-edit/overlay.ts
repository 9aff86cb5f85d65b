/**
 * Knowledge edits as data: the three kinds of change the console makes, and how a list of them is laid over the
 * repository's content (intents/, templates/answers/, locales/*\/topics.json) to give the content in use.
 * Pure: no storage, no NLU. Every change is idempotent over content that already holds it, so content exported
 * into the files and the same overlay on top give the same content again.
 */
import { z } from "zod";
import type { AnswerContent, AnswerTemplate } from "../core/answer-book.js";
import type { Locale } from "../core/types.js";
import { INTENT_ID } from "../content/load-intents.js";
import type { IntentDefinition } from "../nlu/intent-classifier.js";

export const LOCALES: readonly Locale[] = ["vi", "en"];
/** Longest training phrase: what a chat message of a question reasonably is. */
export const MAX_EXAMPLE_CHARS = 300;
/** Most training phrases in one change. */
export const MAX_EXAMPLES_PER_CHANGE = 200;

/** The content the bot runs on: intents with their phrases, and the answer book's content. */
export interface KnowledgeContent {
  intents: IntentDefinition[];
  answers: AnswerContent;
}

const nfcText = (max: number) =>
  z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().min(1, "must not be empty").max(max, `must be at most ${max} characters`));
/** As a YAML block (`text: |`) reads back: trimmed, one final line break; empty stays empty (and is refused). */
const answerText = z.string().transform((s) => {
  const text = s.normalize("NFC").replace(/\r\n/g, "\n").trim();
  return text === "" ? "" : `${text}\n`;
});
const bilingualAnswer = z.object({ vi: answerText, en: answerText }).strict();
/** A button as the API shows it; only the payload ("#target" or the bare target) is read: labels belong to the target. */
const buttonInput = z
  .union([
    z.string().min(1).max(80),
    z.object({ label: z.object({ vi: z.string(), en: z.string() }).partial().optional(), payload: z.string().min(1).max(80) }).strict().transform((b) => b.payload),
  ])
  .transform((payload) => payload.replace(/^#/, ""));
const intentId = z.string().regex(INTENT_ID, "must be lower-case words joined by dots (e.g. vnedu.password)").max(60);

export const changeSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("add_examples"),
      intent: z.string().min(1),
      examples: z
        .array(z.object({ text: nfcText(MAX_EXAMPLE_CHARS), locale: z.enum(["vi", "en"]) }).strict())
        .min(1, "must hold at least one phrase")
        .max(MAX_EXAMPLES_PER_CHANGE),
    })
    .strict(),
  z
    .object({
      kind: z.literal("new_intent"),
      intent: z
        .object({
          id: intentId,
          questions: z.object({ vi: z.array(nfcText(MAX_EXAMPLE_CHARS)).max(MAX_EXAMPLES_PER_CHANGE), en: z.array(nfcText(MAX_EXAMPLE_CHARS)).max(MAX_EXAMPLES_PER_CHANGE) }).strict(),
          answer: bilingualAnswer,
          buttons: z.array(buttonInput).max(10).optional(),
          /** the topic's name on buttons and in the menu; the first question when not given */
          title: z.object({ vi: nfcText(60), en: nfcText(60) }).strict().optional(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      kind: z.literal("edit_answer"),
      intent: z.string().min(1),
      answer: bilingualAnswer,
      buttons: z.array(buttonInput).max(10).optional(),
    })
    .strict(),
]);

export type KnowledgeChange = z.infer<typeof changeSchema>;
export type ChangeKind = KnowledgeChange["kind"];

export function cloneContent(content: KnowledgeContent): KnowledgeContent {
  const a = content.answers;
  return {
    intents: content.intents.map((i) => ({ id: i.id, examples: { vi: [...i.examples.vi], en: [...i.examples.en] } })),
    answers: {
      answers: { vi: { ...a.answers.vi }, en: { ...a.answers.en } },
      facts: a.facts,
      labels: { vi: { ...a.labels.vi }, en: { ...a.labels.en } },
      menu: a.menu,
    },
  };
}

/** The content with the changes laid over it, in order; the base is not modified. */
export function applyChanges(base: KnowledgeContent, changes: readonly KnowledgeChange[]): KnowledgeContent {
  const content = cloneContent(base);
  for (const change of changes) applyOne(content, change);
  return content;
}

/** Folds case, tone-mark encoding and spaces, so a phrase is not added twice. */
function sameText(s: string): string {
  return s.normalize("NFC").toLowerCase().replace(/\s+/g, " ").trim();
}

function addPhrases(intent: IntentDefinition, locale: Locale, texts: readonly string[]): number {
  const known = new Set(intent.examples[locale].map(sameText));
  let added = 0;
  for (const text of texts) {
    if (known.has(sameText(text))) continue;
    known.add(sameText(text));
    intent.examples[locale].push(text);
    added++;
  }
  return added;
}

function applyOne(content: KnowledgeContent, change: KnowledgeChange): void {
  const { answers } = content;
  switch (change.kind) {
    case "add_examples": {
      const intent = content.intents.find((i) => i.id === change.intent);
      // An intent removed from the files since: its phrases have nowhere to go (the start-up check says so).
      if (!intent) return;
      for (const locale of LOCALES) addPhrases(intent, locale, change.examples.filter((e) => e.locale === locale).map((e) => e.text));
      return;
    }
    case "new_intent": {
      const { id, questions, answer, buttons, title } = change.intent;
      let intent = content.intents.find((i) => i.id === id);
      if (!intent) {
        intent = { id, examples: { vi: [], en: [] } };
        content.intents.push(intent);
      }
      for (const locale of LOCALES) {
        addPhrases(intent, locale, questions[locale]);
        answers.answers[locale][id] = { text: answer[locale], buttons: buttons ?? [] };
        answers.labels[locale][id] = title?.[locale] ?? answers.labels[locale][id] ?? defaultTitle(questions[locale][0] ?? questions.vi[0] ?? id);
      }
      return;
    }
    case "edit_answer": {
      for (const locale of LOCALES) {
        const previous: AnswerTemplate | undefined = answers.answers[locale][change.intent];
        answers.answers[locale][change.intent] = { text: change.answer[locale], buttons: change.buttons ?? previous?.buttons ?? [] };
      }
      return;
    }
  }
}

/** A topic's name from its first question: at most 60 characters, cut at a word. */
function defaultTitle(question: string): string {
  const text = question.replace(/[?？!.]+$/u, "").trim();
  if (text.length <= 60) return text.charAt(0).toUpperCase() + text.slice(1);
  const cut = text.slice(0, 59);
  const space = cut.lastIndexOf(" ");
  return `${(space > 30 ? cut.slice(0, space) : cut).replace(/^./, (c) => c.toUpperCase())}…`;
}

/** The intents a change touches (for "source": overlay). */
export function intentOf(change: KnowledgeChange): string {
  return change.kind === "new_intent" ? change.intent.id : change.intent;
}

/** One line for the version history, in English (the console words the kind itself). */
export function summaryOf(change: KnowledgeChange): string {
  switch (change.kind) {
    case "add_examples":
      return `${change.intent}: ${change.examples.length} training phrase(s): ${change.examples.map((e) => `"${e.text}"`).join(", ").slice(0, 200)}`;
    case "new_intent":
      return `new intent ${change.intent.id}: ${change.intent.questions.vi.length + change.intent.questions.en.length} question(s)`;
    case "edit_answer":
      return `${change.intent}: answer edited`;
  }
}

/** Whether the change alters what the classifier learns (an answer edit does not). */
export function changesTraining(change: KnowledgeChange): boolean {
  return change.kind !== "edit_answer";
}
