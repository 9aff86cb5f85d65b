/**
 * The parse worker's body: one message with the file's bytes in, one message with the records (or the reason the
 * file is refused) out. Started by parse-in-worker.ts, one worker per file.
 */
import { parentPort } from "node:worker_threads";
import { ImportFileError } from "./import-limits.js";
import { parseImportFile } from "./parse-file.js";

export type WorkerReply =
  | { ok: true; file: Awaited<ReturnType<typeof parseImportFile>> }
  | { ok: false; status: 400 | 413; vi: string; en: string }
  | { ok: false; status: 500; en: string };

parentPort?.once("message", async (bytes: Uint8Array) => {
  let reply: WorkerReply;
  try {
    reply = { ok: true, file: await parseImportFile(bytes) };
  } catch (error) {
    reply =
      error instanceof ImportFileError
        ? { ok: false, status: error.status, vi: error.vi, en: error.en }
        : { ok: false, status: 500, en: (error as Error).message };
  }
  parentPort?.postMessage(reply);
});
