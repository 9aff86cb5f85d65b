/**
 * npm run --silent ask: one question per line on stdin; for each, the best passages of the directive as JSON
 * lines {"question","rank","text","section","title","score","coverage"}, best first ("text" is the passage
 * as the bot would show it). A question with no passage prints one line with "section": null.
 */
import { createInterface } from "node:readline";
import { buildDirectiveSearch } from "../knowledge/build-directive-search.js";
import { trimPassage } from "../knowledge/directive-search.js";
import { argValue, REPO_ROOT } from "./shared.js";

const limit = Number(argValue(process.argv.slice(2), "--top") ?? 3);
const { search } = buildDirectiveSearch(REPO_ROOT);
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  const question = line.normalize("NFC").trim();
  if (question === "") continue;
  const hits = search.search(question, limit);
  if (hits.length === 0) process.stdout.write(`${JSON.stringify({ question, rank: 0, text: null, section: null, title: null, score: 0, coverage: 0 })}\n`);
  hits.forEach((hit, i) => {
    const score = Math.round(hit.score * 1000) / 1000;
    const coverage = Math.round(hit.coverage * 1000) / 1000;
    process.stdout.write(`${JSON.stringify({ question, rank: i + 1, text: trimPassage(hit.text), section: hit.section, title: hit.title, score, coverage })}\n`);
  });
}
