/**
 * npm run --silent eval:answers — asks every question of test/fixtures/realistic-questions.yaml through the
 * real Conversation (createApp on an in-memory database) and grades the reply: the phrases it must and must
 * not contain, their order, and the common form checks of src/content/style.ts. Prints one line per
 * question and the rate of fully right replies. `--only <n>` shows one question's reply in full;
 * `--content <dir>` grades another copy of intents/, templates/ and locales/ (e.g. an older commit's);
 * `--json` prints the summary as JSON on the last line.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { createApp } from "../app.js";
import { parseConfig } from "../config.js";
import { toPlainText } from "../core/render.js";
import { fold, styleProblems } from "../content/style.js";
import { createLogger } from "../infra/logger.js";
import { argValue, REPO_ROOT } from "./shared.js";

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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = argValue(args, "--file") ?? join(REPO_ROOT, "test", "fixtures", "realistic-questions.yaml");
  const only = argValue(args, "--only");
  const questions = loadQuestions(file);
  const config = parseConfig({ DATABASE_PATH: ":memory:", LOG_LEVEL: "silent", QUIET_HOURS: "" });
  const contentRoot = argValue(args, "--content");
  const app = await createApp({ config, logger: createLogger("silent"), ...(contentRoot ? { contentRoot } : {}) });
  let right = 0;
  let rightOnContent = 0;
  const failed: number[] = [];
  try {
    for (const [i, q] of questions.entries()) {
      const n = i + 1;
      if (only && Number(only) !== n) continue;
      // A new person for every question, so no language or history carries over.
      const reply = await app.conversation.handle({
        channel: "telegram",
        address: `eval-${n}`,
        text: q.ask,
        kind: "text",
        languageHint: q.hint,
        receivedAt: new Date(),
      });
      const text = reply.messages.map((m) => toPlainText(m.text)).join("\n");
      const problems = gradeReply(q, text, reply.locale);
      if (problems.length === 0) right++;
      if (problems.every((p) => p.startsWith("form: "))) rightOnContent++;
      else failed.push(n);
      console.log(`${problems.length === 0 ? "PASS" : "FAIL"} ${String(n).padStart(3)} [${reply.intent}] ${q.ask.slice(0, 70)}`);
      for (const p of problems) console.log(`       - ${p}`);
      if (only) console.log(`\n${text}\n`);
    }
  } finally {
    await app.stop();
  }
  const total = only ? 1 : questions.length;
  const rate = (100 * right) / total;
  console.log(`\nfully right: ${right}/${total} (${rate.toFixed(1)}%)`);
  console.log(`right on content, form aside: ${rightOnContent}/${total} (${((100 * rightOnContent) / total).toFixed(1)}%)`);
  if (args.includes("--json")) console.log(JSON.stringify({ right, rightOnContent, total, rate: Math.round(rate * 10) / 10, failed }));
}

await main();
