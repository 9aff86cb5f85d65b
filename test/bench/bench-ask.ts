/**
 * npm run bench:ask — the directive search on the staff questions of test/fixtures/directive-questions.tsv:
 * top-1 and top-3 accuracy against the expected sections, and latency per question (p50, p99) over repeats.
 */
import { join } from "node:path";
import { percentile, readTsv, REPO_ROOT } from "../../src/cli/shared.js";
import { buildDirectiveSearch } from "../../src/knowledge/build-directive-search.js";

const started = performance.now();
const { search } = buildDirectiveSearch(REPO_ROOT);
const buildMs = performance.now() - started;
const questions = readTsv(join(REPO_ROOT, "test", "fixtures", "directive-questions.tsv"));
let top1 = 0;
let top3 = 0;
const misses: string[] = [];
for (const { label, text } of questions) {
  const expected = label.split("|");
  const hits = search.search(text, 3);
  if (hits[0] && expected.includes(hits[0].section)) top1 += 1;
  else misses.push(`   ${text} → ${hits[0]?.section ?? "none"} (expected ${label})`);
  if (hits.some((h) => expected.includes(h.section))) top3 += 1;
}
for (const { text } of questions) search.search(text, 3); // warm-up: the first searches compile the code paths
const times: number[] = [];
for (let round = 0; round < 50; round++) {
  for (const { text } of questions) {
    const t = performance.now();
    search.search(text, 3);
    times.push(performance.now() - t);
  }
}
times.sort((a, b) => a - b);
const pct = (n: number) => `${((100 * n) / questions.length).toFixed(1)}%`;
console.log(`Directive search: ${questions.length} staff questions, index built in ${buildMs.toFixed(0)} ms`);
console.log(`top-1 ${top1}/${questions.length} (${pct(top1)}), top-3 ${top3}/${questions.length} (${pct(top3)})`);
console.log(`latency over ${times.length} searches: p50 ${percentile(times, 50).toFixed(3)} ms, p99 ${percentile(times, 99).toFixed(3)} ms`);
if (misses.length > 0) console.log(`misses:\n${misses.join("\n")}`);
