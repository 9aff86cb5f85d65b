import SqliteDatabase from "better-sqlite3";
import type Database from "better-sqlite3";
import { createHash, randomBytes } from "node:crypto";
import { inject } from "vitest";
import type { OpenDatabase } from "../../src/db/database.js";
import { PostgresSqliteClient, type SqlClient } from "../../src/db/pg/sqlite-compatible-client.js";
import { SyncPostgres } from "../../src/db/pg/sync-postgres.js";

/**
 * Which engine this test run uses: SQLite by default; PostgreSQL in the vitest project "postgres"
 * (TEST_ENGINE=postgres, with TEST_DATABASE_URL naming the server), where the whole suite runs again.
 */
export const testEngine: "sqlite" | "postgres" = process.env.TEST_ENGINE === "postgres" ? "postgres" : "sqlite";
export const onPostgresRun = testEngine === "postgres";


let admin: SyncPostgres | undefined;

/**
 * Where a test's database lives on this run's engine. On SQLite: `path` itself. On PostgreSQL: a database of
 * its own, copied from the migrated template; the same path gives the same database (a restart, a second
 * instance, a CLI), and ":memory:" a new one each time.
 */
export function testDatabase(path: string): string {
  if (!onPostgresRun) return path;
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error("TEST_ENGINE=postgres needs TEST_DATABASE_URL");
  const key = path === ":memory:" ? randomBytes(8).toString("hex") : createHash("sha256").update(path).digest("hex").slice(0, 16);
  // The run's prefix and its migrated template come from the global setup (postgres-global-setup.ts).
  const run = inject("postgresRun");
  const name = `${run}_t_${key}`;
  admin ??= new SyncPostgres(server);
  const exists = admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).rowCount > 0;
  if (!exists) admin.query(`CREATE DATABASE ${name} TEMPLATE ${run}_template`, []);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The environment naming a test's database for the server or a CLI, on this run's engine. */
export function databaseEnv(path: string): { DATABASE_PATH: string; DATABASE_URL?: string } {
  return onPostgresRun ? { DATABASE_PATH: path, DATABASE_URL: testDatabase(path) } : { DATABASE_PATH: path };
}

/** The SQLite connection of a database a test opened on SQLite (pragmas, the file itself). */
export function sqliteOf(database: OpenDatabase): Database.Database {
  if (!database.sqlite) throw new Error("this test needs the SQLite engine");
  return database.sqlite;
}

/** A second connection to a test's database, for a test to look into what the product stored (or set it up). */
export type TestConnection = SqlClient & { close(): void };

const connections = new Map<string, PostgresSqliteClient>();

export function connectTestDatabase(path: string, options?: { readonly?: boolean }): TestConnection {
  if (!onPostgresRun) return new SqliteDatabase(path, options) as unknown as TestConnection;
  // Tests poll with a connection a time: on PostgreSQL one per database is kept (a connection costs a worker).
  const url = testDatabase(path);
  let client = connections.get(url);
  if (!client?.open) {
    client = new PostgresSqliteClient(new SyncPostgres(url));
    connections.set(url, client);
  }
  return Object.assign(Object.create(client) as PostgresSqliteClient, { close: () => undefined });
}
