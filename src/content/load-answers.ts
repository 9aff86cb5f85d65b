import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { AnswerBook, payloadFor, type AnswerContent, type AnswerTemplate } from "../core/answer-book.js";
import { placeholdersOf } from "../core/rich-text.js";
import type { Locale } from "../core/types.js";
import { ContentError } from "./load-intents.js";

const answerFile = z.record(
  z.string(),
  z.object({ text: z.string().min(1), buttons: z.array(z.string()).default([]) }),
);
const factValue = z.union([z.string(), z.number()]).transform(String);
/** facts.yaml: named values, plus `to_confirm` (fact name → why the Department must check it). */
const factsFile = z
  .object({ to_confirm: z.record(z.string(), z.string().min(1)).default({}) })
  .catchall(factValue)
  .transform(({ to_confirm, ...facts }) => ({ toConfirm: to_confirm, facts: facts as Record<string, string> }));
const labelsFile = z.record(z.string(), z.string().min(1));
const menuFile = z.object({ menu: z.array(z.string()).min(1) });

const LOCALES: Locale[] = ["vi", "en"];
const SPECIAL_TARGETS = new Set(["menu", "lang.vi", "lang.en"]);
/** Telegram's callback_data limit, in bytes. */
const MAX_PAYLOAD_BYTES = 64;

export interface ContentPaths {
  templatesDir: string;
  localesDir: string;
}

export interface ContentWarnings {
  warn(obj: object, msg: string): void;
}

/** A fact the Department has not confirmed yet, with the reason given in templates/facts.yaml. */
export interface UnconfirmedFact {
  name: string;
  value: string;
  reason: string;
}

/**
 * Loads answers, facts, button labels and the topic menu, and checks them against each other so a typo in
 * an edited file stops start-up with a clear message instead of surfacing in a chat.
 */
export function loadAnswerBook(paths: ContentPaths, intentIds: string[], logger?: ContentWarnings): AnswerBook {
  const { content, toConfirm } = readAnswerContent(paths);
  checkContent(content, intentIds);
  warnUnconfirmed(content.facts, toConfirm, logger);
  return new AnswerBook(content);
}

/** Answers, facts, labels and menu as the files hold them, read and shape-checked but not checked against each other. */
export function readAnswerContent(paths: ContentPaths): { content: AnswerContent; toConfirm: Record<string, string> } {
  const { facts, toConfirm } = readYaml(join(paths.templatesDir, "facts.yaml"), factsFile);
  const unknown = Object.keys(toConfirm).filter((name) => facts[name] === undefined);
  if (unknown.length > 0) throw new ContentError(`templates/facts.yaml: to_confirm names unknown facts: ${unknown.join(", ")}`);
  const answers = {} as Record<Locale, Record<string, AnswerTemplate>>;
  const labels = {} as Record<Locale, Record<string, string>>;
  for (const locale of LOCALES) {
    answers[locale] = readYaml(join(paths.templatesDir, "answers", `${locale}.yaml`), answerFile);
    labels[locale] = readJson(join(paths.localesDir, locale, "topics.json"), labelsFile);
  }
  const { menu } = readYaml(join(paths.templatesDir, "menu.yaml"), menuFile);
  return { content: { answers, facts, labels, menu }, toConfirm };
}

export function warnUnconfirmed(facts: Record<string, string>, toConfirm: Record<string, string>, logger?: ContentWarnings): void {
  const unconfirmed = unconfirmedFacts(facts, toConfirm);
  if (unconfirmed.length > 0) {
    // Staff-facing: shown at every start until the Department confirms the facts and empties to_confirm.
    logger?.warn(
      { unconfirmed: unconfirmed.map((f) => `${f.name} = ${f.value} (${f.reason})`) },
      `${unconfirmed.length} facts in templates/facts.yaml are not confirmed by the Department; answers still use them`,
    );
  }
}

export function unconfirmedFacts(facts: Record<string, string>, toConfirm: Record<string, string>): UnconfirmedFact[] {
  return Object.entries(toConfirm).map(([name, reason]) => ({ name, value: facts[name] as string, reason }));
}

/** The unconfirmed facts of a templates folder, for tests and tools. */
export function readUnconfirmedFacts(templatesDir: string): UnconfirmedFact[] {
  const { facts, toConfirm } = readYaml(join(templatesDir, "facts.yaml"), factsFile);
  return unconfirmedFacts(facts, toConfirm);
}

/** Longest answer, in characters as written: one Zalo message (2,000) and well inside Telegram's 4,096. */
export const MAX_ANSWER_CHARS = 2000;
/** Most buttons under one answer: what Zalo shows on one message. */
export const MAX_ANSWER_BUTTONS = 5;

/** One thing wrong with the content, as the start-up check and the console's knowledge editor report it. */
export interface ContentProblem {
  /** stable: unknown_placeholder, unknown_button, missing_answer, missing_label, too_long, too_many_buttons, id_too_long, unknown_menu_target */
  code: string;
  /** what is at fault: "answer.vi", "buttons", "title.en", "menu", "id" */
  field: string;
  /** the intent (or target) it is about */
  intent: string;
  message: string;
}

/** Every problem the start-up check finds: answers, placeholders, buttons, labels, lengths. */
export function contentProblems(content: AnswerContent, intentIds: string[]): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const add = (code: string, field: string, intent: string, message: string): void => {
    problems.push({ code, field, intent, message });
  };
  const targets = new Set([...intentIds, ...SPECIAL_TARGETS]);
  for (const locale of LOCALES) {
    for (const id of intentIds) {
      if (!content.answers[locale][id]) add("missing_answer", `answer.${locale}`, id, `templates/answers/${locale}.yaml: no answer for intent ${id}`);
    }
    for (const [id, answer] of Object.entries(content.answers[locale])) {
      for (const name of placeholdersOf(answer.text)) {
        if (content.facts[name] === undefined) add("unknown_placeholder", `answer.${locale}`, id, `${locale} ${id}: unknown placeholder {{${name}}}`);
      }
      if (answer.text.length > MAX_ANSWER_CHARS) {
        add("too_long", `answer.${locale}`, id, `${locale} ${id}: answer is ${answer.text.length} characters, at most ${MAX_ANSWER_CHARS}`);
      }
      if (answer.buttons.length > MAX_ANSWER_BUTTONS) {
        add("too_many_buttons", "buttons", id, `${locale} ${id}: ${answer.buttons.length} buttons, at most ${MAX_ANSWER_BUTTONS}`);
      }
      for (const b of answer.buttons) {
        if (!targets.has(b)) add("unknown_button", "buttons", id, `${locale} ${id}: button to unknown target ${b}`);
      }
    }
    for (const target of [...content.menu, ...targets]) {
      if (!content.labels[locale][target]) add("missing_label", `title.${locale}`, target, `locales/${locale}/topics.json: no label for ${target}`);
    }
  }
  for (const target of targets) {
    if (Buffer.byteLength(payloadFor(target)) > MAX_PAYLOAD_BYTES) add("id_too_long", "id", target, `target id too long: ${target}`);
  }
  for (const target of content.menu) if (!targets.has(target)) add("unknown_menu_target", "menu", target, `templates/menu.yaml: unknown ${target}`);
  return problems;
}

export function checkContent(content: AnswerContent, intentIds: string[]): void {
  const problems = contentProblems(content, intentIds);
  if (problems.length > 0) throw new ContentError(`content problems:\n  ${problems.map((p) => p.message).join("\n  ")}`);
}

function readYaml<T extends z.ZodType>(file: string, schema: T): z.infer<T> {
  return validate(file, schema, parse(readFileSync(file, "utf8")));
}

function readJson<T extends z.ZodType>(file: string, schema: T): z.infer<T> {
  return validate(file, schema, JSON.parse(readFileSync(file, "utf8")));
}

function validate<T extends z.ZodType>(file: string, schema: T, data: unknown): z.infer<T> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new ContentError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  return parsed.data;
}
