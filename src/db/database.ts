import Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as schema from "./schema.js";

export type Db = BetterSQLite3Database<typeof schema>;

export interface OpenDatabase {
  db: Db;
  sqlite: Database.Database;
  close(): void;
}

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), "migrations");

/**
 * Opens (creating the folder if needed) and migrates the database with the committed migrations.
 * The file, its -wal and -shm are readable by the service's user only, and deleted rows are overwritten
 * (secure_delete), so what /forget removes does not linger in free pages.
 */
export function openDatabase(path: string): OpenDatabase {
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
  // A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when another process
  // (a CLI, a second server) wrote in between: busy_timeout does not cover that upgrade. IMMEDIATE takes the
  // write lock first and waits up to busy_timeout, so concurrent writers queue instead of failing.
  const deferred = db.transaction.bind(db);
  db.transaction = ((run, config) => deferred(run, { behavior: "immediate", ...config })) as typeof db.transaction;
  migrate(db, { migrationsFolder: MIGRATIONS });
  // Files left by an older version keep their old mode until told otherwise.
  if (onDisk) for (const file of [`${path}-wal`, `${path}-shm`]) if (existsSync(file)) ownerOnly(file);
  return { db, sqlite, close: () => sqlite.close() };
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
export function checkpointWal(db: Db): void {
  db.all(sql`PRAGMA wal_checkpoint(TRUNCATE)`);
}
