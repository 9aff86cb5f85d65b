import pg from "pg";
import { workerData } from "node:worker_threads";
import type { BridgeRequest, BridgeResponse, DistributiveOmit, BridgeWorkerData } from "./bridge-protocol.js";
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
  /** the server or the network dropped the connection (a restart, a failover, an idle timeout) */
  broken: boolean;
  /** between a BEGIN that was sent and its COMMIT or ROLLBACK */
  inTransaction: boolean;
  /** after a failed reconnect, statements fail at once until then instead of each waiting for a connect */
  retryAt: number;
}

/** After a reconnect fails, the next try waits this long; statements meanwhile fail at once. */
const RECONNECT_PAUSE_MS = 1_000;
const CONNECT_TIMEOUT_MS = 10_000;

const connections = new Map<number, Connection>();

/** Connects `connection` to its URL with a new client; a drop later marks it broken instead of killing the worker. */
function attach(connection: Connection): void {
  const client = new pg.Client({ connectionString: connection.url, types, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  const drop = () => {
    if (connection.client === client) connection.broken = true;
  };
  client.on("error", drop);
  client.on("end", drop);
  connection.client = client;
  connection.names = new Map();
  connection.broken = false;
  connection.connected = client.connect().catch((error: unknown) => {
    drop();
    connection.retryAt = Date.now() + RECONNECT_PAUSE_MS;
    throw error;
  });
}

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

/**
 * A statement on a connection that may have been dropped. Outside a transaction a dropped connection is
 * opened again for the next statement (the one that met the drop fails: it may or may not have run, so it is
 * never sent twice). Inside one, the transaction died with the connection: its statements fail until its
 * ROLLBACK, and a COMMIT says it was lost, so no half of it is ever committed on a new connection.
 */
async function run(connection: Connection, request: Extract<BridgeRequest, { op: "query" }>): Promise<pg.QueryResult> {
  const plain = request.text.trim().toUpperCase();
  if (connection.broken) {
    if (connection.inTransaction) {
      if (plain === "ROLLBACK") {
        connection.inTransaction = false;
        return { rows: [], rowCount: 0 } as unknown as pg.QueryResult;
      }
      if (plain === "COMMIT") connection.inTransaction = false;
      throw unavailable("The connection to PostgreSQL was lost during a transaction; nothing of it was committed");
    }
    if (Date.now() < connection.retryAt) throw unavailable("PostgreSQL cannot be reached; trying again shortly");
    attach(connection);
  }
  try {
    await connection.connected;
  } catch (error) {
    throw Object.assign(error as Error, { unavailable: true });
  }
  if (plain === "BEGIN") connection.inTransaction = true;
  else if (plain === "COMMIT" || plain === "ROLLBACK") connection.inTransaction = false;
  const config = { name: nameOf(connection, request.text), text: request.text, values: request.values };
  try {
    return request.arrays ? await connection.client.query({ ...config, rowMode: "array" }) : await connection.client.query(config);
  } catch (error) {
    if (connectionLost(error)) {
      connection.broken = true;
      throw Object.assign(error as Error, { unavailable: true });
    }
    throw error;
  }
}

function unavailable(message: string): Error {
  return Object.assign(new Error(message), { unavailable: true });
}

/** The connection itself failed (as opposed to the statement): SQLSTATE class 08, a server shutting down, or the socket. */
function connectionLost(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  if (typeof code === "string" && (code.startsWith("08") || /^57P0[1-3]$/.test(code) || /^E[A-Z]+$/.test(code))) return true;
  return /Connection terminated|not queryable|timeout expired/i.test(message ?? "");
}

async function answer(request: BridgeRequest): Promise<DistributiveOmit<BridgeResponse, "seq">> {
  switch (request.op) {
    case "open": {
      const connection = { url: request.url, names: new Map<string, string>(), broken: false, inTransaction: false, retryAt: 0 } as Connection;
      attach(connection);
      connections.set(request.connection, connection);
      await connection.connected;
      return { ok: true, rows: [], rowCount: 0 };
    }
    case "query": {
      const result = await run(connectionOf(request.connection), request);
      return { ok: true, rows: result.rows, rowCount: result.rowCount ?? 0 };
    }
    case "migrate":
      await migratePostgres(connectionOf(request.connection).url);
      return { ok: true, rows: [], rowCount: 0 };
    case "end": {
      const connection = connections.get(request.connection);
      connections.delete(request.connection);
      // A dropped client may never answer end(): it is let go without waiting.
      if (connection?.broken) void connection.client.end().catch(() => undefined);
      else await connection?.client.end();
      return { ok: true, rows: [], rowCount: 0 };
    }
  }
}

port.on("message", (request: BridgeRequest) => {
  answer(request)
    .catch((error: unknown): DistributiveOmit<BridgeResponse, "seq"> => {
      const e = error as { message?: string; code?: string; detail?: string; unavailable?: boolean };
      return { ok: false, error: { message: e.message ?? String(error), code: e.code, detail: e.detail, unavailable: e.unavailable === true } };
    })
    .then((response) => {
      port.postMessage({ ...response, seq: request.seq });
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    })
    .catch(() => undefined);
});
