import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import type { BridgeRequest, BridgeResponse, DistributiveOmit } from "./bridge-protocol.js";

const workerUrl = import.meta.url.endsWith(".ts") ? new URL("./bridge-worker-bootstrap.mjs", import.meta.url) : new URL("./bridge-worker.js", import.meta.url);

/** How long one statement may take before the caller gives up (the worker may still be starting on the first). */
const STATEMENT_TIMEOUT_MS = 60_000;

export class PostgresError extends Error {
  constructor(
    message: string,
    /** PostgreSQL's SQLSTATE, e.g. 23505 for a unique violation */
    readonly code: string | undefined,
    readonly detail: string | undefined,
    /** the server could not be reached or the connection was lost (not a fault of the statement) */
    readonly unavailable = false,
  ) {
    super(message);
    this.name = "PostgresError";
  }
}

/** The process's one worker thread, started with the first connection; it holds every connection. */
class Bridge {
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly port: MessagePort;
  private nextConnection = 1;
  private seq = 0;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const worker = new Worker(workerUrl, { workerData: { signal: this.flag.buffer, port: port2 }, transferList: [port2] });
    worker.unref();
    this.port.unref();
  }

  newConnection(): number {
    return this.nextConnection++;
  }

  call(call: DistributiveOmit<BridgeRequest, "seq">): { rows: unknown[]; rowCount: number } {
    const request = { ...call, seq: ++this.seq } as BridgeRequest;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage(request);
    const deadline = Date.now() + STATEMENT_TIMEOUT_MS;
    let response: BridgeResponse | undefined;
    while (response === undefined) {
      const left = deadline - Date.now();
      if (left <= 0) throw new PostgresError(`PostgreSQL did not answer within ${STATEMENT_TIMEOUT_MS / 1000} s`, undefined, undefined, true);
      Atomics.wait(this.flag, 0, 0, Math.min(left, 50));
      response = receiveMessageOnPort(this.port)?.message as BridgeResponse | undefined;
      // a late answer to a call that timed out earlier is not this call's
      if (response !== undefined && response.seq !== request.seq) {
        response = undefined;
        Atomics.store(this.flag, 0, 0);
      }
    }
    if (!response.ok) {
      // The statement's text (never its values) says which one failed.
      const statement = request.op === "query" ? ` in: ${request.text.replace(/\s+/g, " ").slice(0, 300)}` : "";
      throw new PostgresError(`${response.error.message}${statement}`, response.error.code, response.error.detail, response.error.unavailable === true);
    }
    return response;
  }
}

let bridge: Bridge | undefined;

/**
 * A PostgreSQL connection, called synchronously. The storage modules are synchronous (they were written for
 * better-sqlite3, whose calls block too); a worker thread holds the connections and this thread waits on a
 * shared flag until the answer is posted. Each connection is used in order, so a transaction is simply the
 * statements between BEGIN and COMMIT. Each call blocks the event loop for one round trip to the server.
 */
export class SyncPostgres {
  private readonly bridge: Bridge;
  private readonly connection: number;
  private ended = false;

  constructor(readonly url: string) {
    bridge ??= new Bridge();
    this.bridge = bridge;
    this.connection = this.bridge.newConnection();
    try {
      this.bridge.call({ connection: this.connection, op: "open", url });
    } catch (error) {
      this.bridge.call({ connection: this.connection, op: "end" });
      throw error;
    }
  }

  query(text: string, values: unknown[], arrays = false): { rows: unknown[]; rowCount: number } {
    return this.call({ connection: this.connection, op: "query", text, values, arrays });
  }

  migrate(): void {
    this.call({ connection: this.connection, op: "migrate" });
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.bridge.call({ connection: this.connection, op: "end" });
  }

  get open(): boolean {
    return !this.ended;
  }

  private call(request: DistributiveOmit<BridgeRequest, "seq">): { rows: unknown[]; rowCount: number } {
    if (this.ended) throw new PostgresError("The database connection is closed", undefined, undefined);
    return this.bridge.call(request);
  }
}
