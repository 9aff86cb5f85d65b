import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { fold, styleProblems } from "./style.js";

/**
 * The measured question set (test/fixtures/realistic-questions.yaml) and how a reply is graded against it:
 * phrases it must and must not contain (case and tone marks aside), their order, the reply's language and
 * the common form checks of style.ts. Used by `npm run eval:answers` and the tests.
 */
const phrase = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const questionFile = z.array(
  z.object({
    ask: z.string().min(1),
    lang: z.enum(["vi", "en"]).default("vi"),
    hint: z.string().optional(),
    ref: z.string().optional(),
    must: z.array(phrase).default([]),
    must_not: z.array(z.string().min(1)).default([]),
    order: z.tuple([z.string(), z.string()]).optional(),
    style: z.boolean().default(true),
  }),
);
export type RealisticQuestion = z.infer<typeof questionFile>[number];

export function loadQuestions(file: string): RealisticQuestion[] {
  return questionFile.parse(parse(readFileSync(file, "utf8")));
}

/** Why a reply falls short of its question; empty when it is fully right. */
export function gradeReply(q: RealisticQuestion, reply: string, replyLocale: string): string[] {
  const problems: string[] = [];
  const text = fold(reply);
  for (const item of q.must) {
    const options = Array.isArray(item) ? item : [item];
    if (!options.some((o) => text.includes(fold(o)))) problems.push(`missing "${options.join('" or "')}"`);
  }
  for (const item of q.must_not) if (text.includes(fold(item))) problems.push(`contains "${item}"`);
  if (q.order) {
    const a = text.indexOf(fold(q.order[0]));
    const b = text.indexOf(fold(q.order[1]));
    if (a === -1 || (b !== -1 && b < a)) problems.push(`"${q.order[0]}" should come before "${q.order[1]}"`);
  }
  if (replyLocale !== q.lang) problems.push(`answered in ${replyLocale}, asked in ${q.lang}`);
  if (q.style) problems.push(...styleProblems(reply, q.lang).map((p) => `form: ${p}`));
  return problems;
}
