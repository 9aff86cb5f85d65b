/**
 * npm run bench:nlu — our engine vs nlp.js (@nlpjs/nlp, the peer to beat), both trained on the same
 * intents/, both scored on test/fixtures/nlu-heldout.tsv: accuracy overall and by variant, training time,
 * classify p50/p99. nlp.js is a dev dependency used only here.
 */
import { join } from "node:path";
import { containerBootstrap } from "@nlpjs/core";
import { LangEn } from "@nlpjs/lang-en";
import { Nlp } from "@nlpjs/nlp";
import { DEFAULT_CLASSIFIER_SETTINGS, IntentClassifier, OUT_OF_SCOPE } from "../nlu/intent-classifier.js";
import type { LabelledText } from "../nlu/intent-classifier.js";
import { argValue, loadProductIntents, percentile, readTsv, REPO_ROOT } from "./shared.js";
import { textVariant, type TextVariant } from "./text-variant.js";

interface Engine {
  name: string;
  trainMs: number;
  classify(text: string): Promise<string> | string;
}

const args = process.argv.slice(2);
const testFiles = argValue(args, "--test")
  ? [argValue(args, "--test") as string]
  : ["nlu-heldout.tsv", "nlu-hard.tsv"].map((f) => join(REPO_ROOT, "test", "fixtures", f));
const { intents, lexicon } = loadProductIntents();

async function ours(): Promise<Engine> {
  const t0 = performance.now();
  const classifier = IntentClassifier.fromIntents(intents, lexicon, DEFAULT_CLASSIFIER_SETTINGS);
  return { name: "ours", trainMs: performance.now() - t0, classify: (text) => classifier.classify(text).intent };
}

async function nlpjs(): Promise<Engine> {
  const container = await containerBootstrap();
  container.use(LangEn);
  const nlp = new Nlp({ languages: ["vi", "en"], autoSave: false, autoLoad: false, nlu: { log: false }, container });
  for (const intent of intents) {
    for (const text of intent.examples.vi) nlp.addDocument("vi", text, intent.id);
    for (const text of intent.examples.en) nlp.addDocument("en", text, intent.id);
  }
  // Same language routing as the product (our detector), so only the intent engines differ.
  const router = IntentClassifier.fromIntents(intents, lexicon, DEFAULT_CLASSIFIER_SETTINGS);
  const t0 = performance.now();
  await nlp.train();
  const trainMs = performance.now() - t0;
  return {
    name: "nlp.js",
    trainMs,
    classify: async (text) => {
      const result = (await nlp.process(router.detectLocale(text) ?? "vi", text)) as { intent?: string };
      return !result.intent || result.intent === "None" ? OUT_OF_SCOPE : result.intent;
    },
  };
}

async function evaluate(engine: Engine, heldout: LabelledText[]) {
  const byVariant = new Map<TextVariant | "all", { n: number; ok: number }>();
  const times: number[] = [];
  const tally = (key: TextVariant | "all", ok: boolean) => {
    const t = byVariant.get(key) ?? { n: 0, ok: 0 };
    t.n++;
    if (ok) t.ok++;
    byVariant.set(key, t);
  };
  // Warm up the JIT so p50/p99 measure steady-state classification.
  for (const row of heldout.slice(0, 50)) await engine.classify(row.text);
  for (const row of heldout) {
    const start = performance.now();
    const intent = await engine.classify(row.text);
    times.push(performance.now() - start);
    tally("all", intent === row.label);
    tally(textVariant(row.text), intent === row.label);
  }
  times.sort((a, b) => a - b);
  return { byVariant, p50: percentile(times, 50), p99: percentile(times, 99) };
}

const pct = (t: { n: number; ok: number } | undefined) => (t && t.n ? `${((100 * t.ok) / t.n).toFixed(1)}% (${t.ok}/${t.n})` : "-");
const engines = [await ours(), await nlpjs()];
const header = ["engine", "accuracy", "tone marks", "no tone marks", "shorthand", "English", "training", "p50", "p99"];
const summary: Record<string, Record<string, unknown>> = {};
console.log(`Node ${process.version}; both engines trained once on intents/ (${intents.length} intents)`);
for (const file of testFiles) {
  const heldout = readTsv(file);
  console.log(`\n${file.replace(`${REPO_ROOT}/`, "")} (${heldout.length} questions)\n`);
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  const results: Record<string, unknown> = {};
  for (const engine of engines) {
    const r = await evaluate(engine, heldout);
    const row = [
      engine.name,
      pct(r.byVariant.get("all")),
      pct(r.byVariant.get("tone_marks")),
      pct(r.byVariant.get("no_tone_marks")),
      pct(r.byVariant.get("shorthand")),
      pct(r.byVariant.get("english")),
      `${Math.round(engine.trainMs)} ms`,
      `${r.p50.toFixed(3)} ms`,
      `${r.p99.toFixed(3)} ms`,
    ];
    console.log(`| ${row.join(" | ")} |`);
    const all = r.byVariant.get("all") as { n: number; ok: number };
    results[engine.name] = { accuracy: round(all.ok / all.n), train_ms: Math.round(engine.trainMs), p50_ms: round(r.p50), p99_ms: round(r.p99) };
  }
  summary[file.replace(`${REPO_ROOT}/`, "")] = results;
}
console.log(`\n${JSON.stringify(summary)}`);

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
