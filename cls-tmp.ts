import { join } from "node:path";
import { IntentClassifier, DEFAULT_CLASSIFIER_SETTINGS } from "./src/nlu/intent-classifier.js";
import { loadIntents, loadLexicon } from "./src/content/load-intents.js";
import { signatureOf } from "./src/review/grouping.js";
const root = "/work/wt/support";
const c = IntentClassifier.fromIntents(loadIntents(join(root, "intents")), loadLexicon(join(root, "intents/lexicon/normalization.yaml")), DEFAULT_CLASSIFIER_SETTINGS);
for (const t of process.argv.slice(2)) { const r = c.classify(t); console.log(JSON.stringify([t, r.intent, r.confidence, r.bestGuess, r.normalized, signatureOf(r.normalized)])); }
