/**
 * npm run --silent eval:answers — asks every question of test/fixtures/realistic-questions.yaml through the
 * real Conversation (createApp on an in-memory database) and grades the reply: the phrases it must and must
 * not contain, their order, and the common form checks of src/content/style.ts. Prints one line per
 * question and the rate of fully right replies. `--only <n>` shows one question's reply in full;
 * `--content <dir>` grades another copy of intents/, templates/ and locales/ (e.g. an older commit's);
 * `--json` prints the summary as JSON on the last line.
 */
import { join } from "node:path";
import { createApp } from "../app.js";
import { parseConfig } from "../config.js";
import { toPlainText } from "../core/render.js";
import { gradeReply, loadQuestions } from "../content/answer-grading.js";
import { createLogger } from "../infra/logger.js";
import { argValue, REPO_ROOT } from "./shared.js";

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
