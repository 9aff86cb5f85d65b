/**
 * npm run --silent nlu:eval -- --train A.tsv --test B.tsv
 * Trains a fresh classifier with the product's engine and settings on A only (lines label<TAB>text),
 * classifies B and prints, as its last line, {"accuracy","n","train_ms","p50_ms","p99_ms"}.
 * The product's lexicon (shorthand, fillers) is part of the engine and is used as is.
 */
import { DEFAULT_CLASSIFIER_SETTINGS, IntentClassifier } from "../nlu/intent-classifier.js";
import { argValue, loadProductIntents, percentile, readTsv } from "./shared.js";

const args = process.argv.slice(2);
const trainFile = argValue(args, "--train");
const testFile = argValue(args, "--test");
if (!trainFile || !testFile) {
  console.error("usage: npm run --silent nlu:eval -- --train A.tsv --test B.tsv");
  process.exit(2);
}
const train = readTsv(trainFile);
const test = readTsv(testFile);
const { lexicon } = loadProductIntents();

const t0 = performance.now();
const classifier = IntentClassifier.train(train, lexicon, DEFAULT_CLASSIFIER_SETTINGS);
const trainMs = performance.now() - t0;
// Unseen labels in the test file count as errors; out_of_scope is only right if A taught it.
const times: number[] = [];
let correct = 0;
for (const row of test) {
  const start = performance.now();
  const result = classifier.classify(row.text);
  times.push(performance.now() - start);
  if (result.intent === row.label) correct++;
}
times.sort((a, b) => a - b);
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
console.log(
  JSON.stringify({
    accuracy: round(test.length ? correct / test.length : 0, 4),
    n: test.length,
    train_ms: round(trainMs, 1),
    p50_ms: round(percentile(times, 50)),
    p99_ms: round(percentile(times, 99)),
  }),
);
