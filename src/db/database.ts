import Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isPostgresUrl } from "./pg/postgres.js";
import { PostgresSqliteClient, type SqlClient } from "./pg/sqlite-compatible-client.js";
import { PostgresError, SyncPostgres } from "./pg/sync-postgres.js";
import * as schema from "./schema.js";

export type Db = BetterSQLite3Database<typeof schema>;

export interface OpenDatabase {
  engine: "sqlite" | "postgres";
  db: Db;
  /** prepared statements and transactions in better-sqlite3's shape, on either engine */
  client: SqlClient;
  /** the SQLite connection itself (pragmas, the file): undefined on PostgreSQL */
  sqlite: Database.Database | undefined;
  close(): void;
}

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), "migrations");

/**
 * Opens the database at `location`: a postgres:// URL (migrated at open, several instances may share it) or
 * a SQLite file path (the embedded default).
 */
export function openDatabase(location: string): OpenDatabase {
  return isPostgresUrl(location) ? openPostgresDatabase(location) : openSqliteDatabase(location);
}

/** Where the configured database is: DATABASE_URL when set, else the SQLite file. */
export function databaseLocation(config: { DATABASE_URL?: string | undefined; DATABASE_PATH: string }): string {
  return config.DATABASE_URL ?? config.DATABASE_PATH;
}

/** Whether a database runs on PostgreSQL (for the few statements that differ, such as SKIP LOCKED). */
export function onPostgres(db: Db): boolean {
  return (db as unknown as { $client: unknown }).$client instanceof PostgresSqliteClient;
}

function openPostgresDatabase(url: string): OpenDatabase {
  const connection = new SyncPostgres(url);
  try {
    connection.migrate();
  } catch (error) {
    connection.close();
    throw error;
  }
  const client = new PostgresSqliteClient(connection);
  // drizzle's better-sqlite3 driver over a client of the same shape: the same statements, typed the same way.
  const db = drizzle(client as unknown as Database.Database, { schema });
  serializeTransactions(db);
  return { engine: "postgres", db, client, sqlite: undefined, close: () => client.close() };
}

/**
 * Opens (creating the folder if needed) and migrates the database with the committed migrations.
 * The file, its -wal and -shm are readable by the service's user only, and deleted rows are overwritten
 * (secure_delete), so what /forget removes does not linger in free pages.
 */
function openSqliteDatabase(path: string): OpenDatabase {
  const onDisk = path !== ":memory:" && !path.startsWith("file:");
  if (onDisk) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Create it 0600 before SQLite does (SQLite would follow the umask, usually 0644); -wal and -shm copy its mode.
    closeSync(openSync(path, "a", 0o600));
    ownerOnly(path);
  }
  const sqlite = new Database(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("secure_delete = ON");
  const db = drizzle(sqlite, { schema });
  serializeTransactions(db);
  migrate(db, { migrationsFolder: MIGRATIONS });
  // Files left by an older version keep their old mode until told otherwise.
  if (onDisk) for (const file of [`${path}-wal`, `${path}-shm`]) if (existsSync(file)) ownerOnly(file);
  return { engine: "sqlite", db, client: sqlite as unknown as SqlClient, sqlite, close: () => sqlite.close() };
}

/**
 * A deferred SQLite transaction that reads and then writes fails at once with SQLITE_BUSY when another process
 * (a CLI, a second server) wrote in between: busy_timeout does not cover that upgrade. IMMEDIATE takes the
 * write lock first and waits up to busy_timeout, so concurrent writers queue instead of failing. On PostgreSQL
 * the same behaviour takes one advisory lock, so read-then-write transactions queue across instances alike.
 */
function serializeTransactions(db: Db): void {
  const deferred = db.transaction.bind(db);
  db.transaction = ((run, config) => deferred(run, { behavior: "immediate", ...config })) as typeof db.transaction;
}

function ownerOnly(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch (error) {
    // Someone else's file (a shared deployment): SQLite will say more if it cannot be used at all.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") throw error;
  }
}

/** Moves everything in the WAL into the main file and empties the WAL, so deleted texts leave it too. */
/** The database could not be reached (PostgreSQL restarting, a failover, the network): try again shortly. */
export function databaseUnavailable(error: unknown): boolean {
  return error instanceof PostgresError && error.unavailable;
}

/** Whether the database answers a trivial query now (/healthz). */
export function databaseAnswers(db: Db): boolean {
  try {
    db.get(sql`SELECT 1 AS up`);
    return true;
  } catch {
    return false;
  }
}

export function checkpointWal(db: Db): void {
  if (onPostgres(db)) return;
  db.all(sql`PRAGMA wal_checkpoint(TRUNCATE)`);
}
