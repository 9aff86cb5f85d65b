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
const factsFile = z.record(z.string(), z.union([z.string(), z.number()]).transform(String));
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

/**
 * Loads answers, facts, button labels and the topic menu, and checks them against each other so a typo in
 * an edited file stops start-up with a clear message instead of surfacing in a chat.
 */
export function loadAnswerBook(paths: ContentPaths, intentIds: string[]): AnswerBook {
  const facts = readYaml(join(paths.templatesDir, "facts.yaml"), factsFile);
  const answers = {} as Record<Locale, Record<string, AnswerTemplate>>;
  const labels = {} as Record<Locale, Record<string, string>>;
  for (const locale of LOCALES) {
    answers[locale] = readYaml(join(paths.templatesDir, "answers", `${locale}.yaml`), answerFile);
    labels[locale] = readJson(join(paths.localesDir, locale, "topics.json"), labelsFile);
  }
  const { menu } = readYaml(join(paths.templatesDir, "menu.yaml"), menuFile);
  const content: AnswerContent = { answers, facts, labels, menu };
  checkContent(content, intentIds);
  return new AnswerBook(content);
}

function checkContent(content: AnswerContent, intentIds: string[]): void {
  const problems: string[] = [];
  const targets = new Set([...intentIds, ...SPECIAL_TARGETS]);
  for (const locale of LOCALES) {
    for (const id of intentIds) {
      if (!content.answers[locale][id]) problems.push(`templates/answers/${locale}.yaml: no answer for intent ${id}`);
    }
    for (const [id, answer] of Object.entries(content.answers[locale])) {
      for (const name of placeholdersOf(answer.text)) {
        if (content.facts[name] === undefined) problems.push(`${locale} ${id}: unknown placeholder {{${name}}}`);
      }
      for (const b of answer.buttons) {
        if (!targets.has(b)) problems.push(`${locale} ${id}: button to unknown target ${b}`);
      }
    }
    for (const target of [...content.menu, ...targets]) {
      if (!content.labels[locale][target]) problems.push(`locales/${locale}/topics.json: no label for ${target}`);
    }
  }
  for (const target of targets) {
    if (Buffer.byteLength(payloadFor(target)) > MAX_PAYLOAD_BYTES) problems.push(`target id too long: ${target}`);
  }
  for (const target of content.menu) if (!targets.has(target)) problems.push(`templates/menu.yaml: unknown ${target}`);
  if (problems.length > 0) throw new ContentError(`content problems:\n  ${problems.join("\n  ")}`);
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
