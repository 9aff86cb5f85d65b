import { Worker } from "node:worker_threads";
import type { LabelledText } from "../nlu/intent-classifier.js";
import { IntentClassifier, type ClassifierSettings, type ClassifierSnapshot, type IntentDefinition } from "../nlu/intent-classifier.js";
import type { LexiconData } from "../nlu/normalize.js";

export interface TrainRequest {
  id: number;
  intents: IntentDefinition[];
  lexicon: LexiconData;
  settings: ClassifierSettings;
  heldout: LabelledText[];
}

export type TrainReply =
  | { id: number; ok: true; snapshot: ClassifierSnapshot; accuracy: number | null; trainMs: number }
  | { id: number; ok: false; error: string };

export interface TrainedCandidate {
  classifier: IntentClassifier;
  /** share of held-out rows classified right (0-1), null without held-out rows */
  accuracy: number | null;
  trainMs: number;
}

/** Share of rows the classifier labels right, rounded to 4 places; null for no rows. */
export function heldoutAccuracy(classifier: IntentClassifier, rows: readonly LabelledText[]): number | null {
  if (rows.length === 0) return null;
  let correct = 0;
  for (const row of rows) if (classifier.classify(row.text).intent === row.label) correct++;
  return Math.round((correct / rows.length) * 10_000) / 10_000;
}

/** The same, a slice at a time, so measuring the model in use never holds the chat thread for long. */
export async function heldoutAccuracyInSlices(classifier: IntentClassifier, rows: readonly LabelledText[], slice = 40): Promise<number | null> {
  if (rows.length === 0) return null;
  let correct = 0;
  for (let i = 0; i < rows.length; i += slice) {
    for (const row of rows.slice(i, i + slice)) if (classifier.classify(row.text).intent === row.label) correct++;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return Math.round((correct / rows.length) * 10_000) / 10_000;
}

// From source (tsx, vitest) the worker is TypeScript and needs the bootstrap that registers tsx.
const workerUrl = import.meta.url.endsWith(".ts") ? new URL("./train-worker-bootstrap.mjs", import.meta.url) : new URL("./train-worker.js", import.meta.url);

/**
 * One long-lived training thread (started on first use, so a service nobody edits never pays for it). Requests
 * are answered in order; a crashed thread fails its pending requests and is started again on the next one.
 */
export class BackgroundTrainer {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (c: TrainedCandidate) => void; reject: (e: Error) => void }>();

  constructor(private readonly lexicon: LexiconData, private readonly settings: ClassifierSettings, private readonly heldout: LabelledText[]) {}

  get busy(): boolean {
    return this.pending.size > 0;
  }

  /**
   * Starts the thread ahead of a change (the console's knowledge screen asks for it when it opens) and trains
   * once on the content in use, in the background: the code is compiled and every phrase's features are cached,
   * so the first real change trains as fast as the later ones.
   */
  warm(intents: IntentDefinition[]): void {
    if (this.worker) return;
    const worker = this.start();
    worker.postMessage({ id: 0, intents, lexicon: this.lexicon, settings: this.settings, heldout: [] } satisfies TrainRequest);
  }

  train(intents: IntentDefinition[]): Promise<TrainedCandidate> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const request: TrainRequest = { id, intents, lexicon: this.lexicon, settings: this.settings, heldout: this.heldout };
      worker.postMessage(request);
    });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerUrl);
    worker.unref();
    worker.on("message", (reply: TrainReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (!reply.ok) {
        waiting.reject(new Error(`training failed: ${reply.error}`));
        return;
      }
      IntentClassifier.fromSnapshotInSlices(reply.snapshot).then(
        (classifier) => waiting.resolve({ classifier, accuracy: reply.accuracy, trainMs: reply.trainMs }),
        (error: unknown) => waiting.reject(error instanceof Error ? error : new Error(String(error))),
      );
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`training worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}
