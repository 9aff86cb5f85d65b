/**
 * The knowledge editor's training thread: trains a classifier on the content it is sent and measures it on the
 * held-out rows, so a retrain (half a second with today's content, seconds with ten thousand phrases) never
 * blocks the thread that answers chats. The model goes back as a snapshot; its arrays are transferred, not copied.
 */
import { parentPort } from "node:worker_threads";
import { IntentClassifier, type FeatureCache } from "../nlu/intent-classifier.js";
import { heldoutAccuracy, type TrainReply, type TrainRequest } from "./trainer.js";

if (!parentPort) throw new Error("train-worker runs as a worker thread");
const port = parentPort;
/** Features of every phrase seen, by text: a retrain after one new phrase extracts one phrase's features. */
const cache: FeatureCache = new Map();
const CACHE_LIMIT = 100_000;

port.on("message", (request: TrainRequest) => {
  try {
    const started = performance.now();
    if (cache.size > CACHE_LIMIT) cache.clear();
    const classifier = IntentClassifier.fromIntents(request.intents, request.lexicon, request.settings, cache);
    const trainMs = performance.now() - started;
    // Request 0 only warms the thread up (code compiled, features cached): nobody waits for its model.
    if (request.id === 0) return;
    const accuracy = heldoutAccuracy(classifier, request.heldout);
    const snapshot = classifier.toSnapshot();
    const reply: TrainReply = { id: request.id, ok: true, snapshot, accuracy, trainMs };
    const buffers = [snapshot.model.weights, snapshot.model.bias, snapshot.vocabulary.idf, snapshot.languages.vi.logProb, snapshot.languages.en.logProb].map((a) => a.buffer);
    port.postMessage(reply, buffers as ArrayBuffer[]);
  } catch (error) {
    const reply: TrainReply = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
});
