/**
 * npm run --silent classify: one UTF-8 line in, one JSON object out, in order:
 * {"text","intent","confidence","locale"}. `intent` is out_of_scope below the confidence threshold.
 */
import { createInterface } from "node:readline";
import { loadConfig } from "../config.js";
import { DEFAULT_CLASSIFIER_SETTINGS, IntentClassifier } from "../nlu/intent-classifier.js";
import { loadProductIntents } from "./shared.js";

const config = loadConfig();
const { intents, lexicon } = loadProductIntents();
const classifier = IntentClassifier.fromIntents(intents, lexicon, {
  ...DEFAULT_CLASSIFIER_SETTINGS,
  threshold: config.NLU_THRESHOLD,
});

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  const text = line.normalize("NFC");
  const result = classifier.classify(text);
  const locale = result.locale ?? config.DEFAULT_LOCALE;
  process.stdout.write(
    `${JSON.stringify({ text, intent: result.intent, confidence: result.confidence, locale })}\n`,
  );
}
