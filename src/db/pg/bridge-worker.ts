import pg from "pg";
import { workerData } from "node:worker_threads";
import type { BridgeRequest, BridgeResponse, BridgeWorkerData } from "./bridge-protocol.js";
import { migratePostgres } from "./postgres.js";

/**
 * Holds the one PostgreSQL connection of a SyncPostgres and answers its requests in order. Values come back as
 * SQLite would give them (numbers for bigint and numeric, 1/0 for booleans), so the storage modules and
 * drizzle's SQLite mapping read the same rows on both engines.
 */
const { url, signal, port } = workerData as BridgeWorkerData;
const flag = new Int32Array(signal);

const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
    if (oid === pg.types.builtins.BOOL) return (value: string) => (value === "t" ? 1 : 0);
    return pg.types.getTypeParser(oid, format);
  },
};

const client = new pg.Client({ connectionString: url, types });
const connected = client.connect();
// A connection dropped by the server fails the next query with a clear error instead of killing the worker.
client.on("error", () => undefined);

/** Statements are prepared once per connection by name (the planner repeats a few thousands of times). */
const names = new Map<string, string>();
function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < 2_000 && !/^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(text)) {
    name = `s${names.size + 1}`;
    names.set(text, name);
  }
  return name;
}

async function answer(request: BridgeRequest): Promise<BridgeResponse> {
  await connected;
  switch (request.op) {
    case "query": {
      const config = { name: nameOf(request.text), text: request.text, values: request.values };
      const result = request.arrays ? await client.query({ ...config, rowMode: "array" }) : await client.query(config);
      return { ok: true, rows: result.rows, rowCount: result.rowCount ?? 0 };
    }
    case "migrate":
      await migratePostgres(url);
      return { ok: true, rows: [], rowCount: 0 };
    case "end":
      await client.end();
      return { ok: true, rows: [], rowCount: 0 };
  }
}

port.on("message", (request: BridgeRequest) => {
  answer(request)
    .catch((error: unknown): BridgeResponse => {
      const e = error as { message?: string; code?: string; detail?: string };
      return { ok: false, error: { message: e.message ?? String(error), code: e.code, detail: e.detail } };
    })
    .then((response) => {
      port.postMessage(response);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    })
    .catch(() => undefined);
});
