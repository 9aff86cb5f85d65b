import pg from "pg";
import { workerData } from "node:worker_threads";
import type { BridgeRequest, BridgeResponse, BridgeWorkerData } from "./bridge-protocol.js";
import { migratePostgres } from "./postgres.js";

/**
 * Holds the PostgreSQL connections of a process's SyncPostgres objects and answers their requests in order.
 * Values come back as SQLite would give them (numbers for bigint and numeric, 1/0 for booleans), so the storage
 * modules and drizzle's SQLite mapping read the same rows on both engines.
 */
const { signal, port } = workerData as BridgeWorkerData;
const flag = new Int32Array(signal);

const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (value: string) => Number(value);
    if (oid === pg.types.builtins.BOOL) return (value: string) => (value === "t" ? 1 : 0);
    return pg.types.getTypeParser(oid, format);
  },
};

interface Connection {
  url: string;
  client: pg.Client;
  connected: Promise<unknown>;
  /** statements prepared once per connection by name (the planner repeats a few thousands of times) */
  names: Map<string, string>;
}

const connections = new Map<number, Connection>();

function nameOf(connection: Connection, text: string): string | undefined {
  let name = connection.names.get(text);
  if (name === undefined && connection.names.size < 2_000 && !/^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(text)) {
    name = `s${connection.names.size + 1}`;
    connection.names.set(text, name);
  }
  return name;
}

function connectionOf(id: number): Connection {
  const connection = connections.get(id);
  if (!connection) throw new Error("The database connection is closed");
  return connection;
}

async function answer(request: BridgeRequest): Promise<BridgeResponse> {
  switch (request.op) {
    case "open": {
      const client = new pg.Client({ connectionString: request.url, types });
      // A connection dropped by the server fails the next query with a clear error instead of killing the worker.
      client.on("error", () => undefined);
      const connection = { url: request.url, client, connected: client.connect(), names: new Map<string, string>() };
      connections.set(request.connection, connection);
      await connection.connected;
      return { ok: true, rows: [], rowCount: 0 };
    }
    case "query": {
      const connection = connectionOf(request.connection);
      await connection.connected;
      const config = { name: nameOf(connection, request.text), text: request.text, values: request.values };
      const result = request.arrays ? await connection.client.query({ ...config, rowMode: "array" }) : await connection.client.query(config);
      return { ok: true, rows: result.rows, rowCount: result.rowCount ?? 0 };
    }
    case "migrate":
      await migratePostgres(connectionOf(request.connection).url);
      return { ok: true, rows: [], rowCount: 0 };
    case "end": {
      const connection = connections.get(request.connection);
      connections.delete(request.connection);
      await connection?.client.end();
      return { ok: true, rows: [], rowCount: 0 };
    }
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
