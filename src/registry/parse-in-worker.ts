/**
 * Parses an uploaded registry file in a worker thread, so a large or hostile file never blocks the thread that
 * answers requests (health checks, the chat, webhooks). Each file gets its own short-lived worker with a capped
 * heap and a time limit: a file that would exhaust memory kills only its worker and is refused with 413.
 * At most IMPORT_LIMITS.concurrentParses files are parsed at once; further ones wait their turn.
 */
import { Worker } from "node:worker_threads";
import { IMPORT_LIMITS, tooLarge, type ImportLimits } from "./import-limits.js";
import { ImportFileError } from "./import-limits.js";
import type { ParsedFile } from "./parse-file.js";
import type { WorkerReply } from "./parse-worker.js";

// From source (tsx, vitest) the worker is TypeScript and needs the bootstrap that registers tsx.
const workerUrl = import.meta.url.endsWith(".ts")
  ? new URL("./parse-worker-bootstrap.mjs", import.meta.url)
  : new URL("./parse-worker.js", import.meta.url);

let running = 0;
const waiting: (() => void)[] = [];

async function turn(limits: ImportLimits): Promise<() => void> {
  if (running >= limits.concurrentParses) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  return () => {
    running--;
    waiting.shift()?.();
  };
}

/** The file's records, or ImportFileError (400/413) for a file refused as a whole. */
export async function parseInWorker(bytes: Uint8Array, limits: ImportLimits = IMPORT_LIMITS): Promise<ParsedFile> {
  const release = await turn(limits);
  try {
    return await runWorker(bytes, limits);
  } finally {
    release();
  }
}

function runWorker(bytes: Uint8Array, limits: ImportLimits): Promise<ParsedFile> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: limits.workerHeapMb } });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            tooLarge(
              "Dạ, tệp cần quá lâu để đọc ạ; anh/chị vui lòng tách thành nhiều tệp nhỏ hơn",
              "reading the file took too long; split it into smaller files",
            ),
          ),
        ),
      limits.parseTimeoutMs,
    );
    worker.once("message", (reply: WorkerReply) =>
      finish(() => {
        if (reply.ok) resolve(reply.file);
        else if (reply.status === 500) reject(new Error(`parse worker: ${reply.en}`));
        else reject(new ImportFileError(reply.status, reply.vi, reply.en));
      }),
    );
    worker.once("error", (error: Error & { code?: string }) =>
      finish(() =>
        reject(
          error.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? tooLarge(
                "Dạ, tệp cần quá nhiều bộ nhớ để đọc ạ; anh/chị vui lòng tách thành nhiều tệp nhỏ hơn",
                "reading the file needs too much memory; split it into smaller files",
              )
            : error,
        ),
      ),
    );
    worker.once("exit", (code) => finish(() => reject(new Error(`parse worker exited with code ${code}`))));
    // A copy the worker owns: the request's buffer may share its memory with other requests.
    const copy = new Uint8Array(bytes);
    worker.postMessage(copy, [copy.buffer]);
  });
}
