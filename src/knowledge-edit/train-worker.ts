/**
 * The knowledge editor's training thread: trains a classifier on the content it is sent and measures it on the
 * held-out rows, so a retrain (half a second with today's content, seconds with ten thousand phrases) never
 * blocks the thread that answers chats. The model goes back as a snapshot; its arrays are transferred, not copied.
 */
import { parentPort } from "node:worker_threads";
import { IntentClassifier } from "../nlu/intent-classifier.js";
import { heldoutAccuracy, type TrainReply, type TrainRequest } from "./trainer.js";

if (!parentPort) throw new Error("train-worker runs as a worker thread");
const port = parentPort;

port.on("message", (request: TrainRequest) => {
  try {
    const started = performance.now();
    const classifier = IntentClassifier.fromIntents(request.intents, request.lexicon, request.settings);
    const trainMs = performance.now() - started;
    const accuracy = heldoutAccuracy(classifier, request.heldout);
    const snapshot = classifier.toSnapshot();
    const reply: TrainReply = { id: request.id, ok: true, snapshot, accuracy, trainMs };
    port.postMessage(reply, [snapshot.model.weights.buffer, snapshot.model.bias.buffer, snapshot.vocabulary.idf.buffer] as ArrayBuffer[]);
  } catch (error) {
    const reply: TrainReply = { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
    port.postMessage(reply);
  }
});
