import { SyncPostgres } from "../../src/db/pg/sync-postgres.js";
import { argValue } from "../../src/cli/shared.js";
import type { OpenDatabase } from "../../src/db/database.js";

/** Where a benchmark keeps its data: a SQLite file in `dir`, or with `--postgres <server URL>` a new database there. */
export interface BenchDatabase {
  location: string;
  /** what to tell the product's processes */
  env: { DATABASE_PATH: string; DATABASE_URL?: string };
  engine: "SQLite" | "PostgreSQL";
  drop(): void;
}

export function benchDatabase(args: string[], sqlitePath: string, name: string): BenchDatabase {
  const server = argValue(args, "--postgres");
  if (!server) return { location: sqlitePath, env: { DATABASE_PATH: sqlitePath }, engine: "SQLite", drop: () => undefined };
  const database = `bench_${name}_${process.pid}`;
  const admin = new SyncPostgres(server);
  admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, []);
  admin.query(`CREATE DATABASE ${database}`, []);
  const url = new URL(server);
  url.pathname = `/${database}`;
  return {
    location: url.toString(),
    env: { DATABASE_PATH: sqlitePath, DATABASE_URL: url.toString() },
    engine: "PostgreSQL",
    drop() {
      admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`, []);
      admin.close();
    },
  };
}

/**
 * `count` subscribed Telegram users whose chat ids run from `firstChat`, written by the database itself in two
 * statements (a recursive series, which both engines read alike), so a million takes seconds on either.
 */
export function seedTelegramSubscribers(database: OpenDatabase, count: number, firstChat: number, now: number): void {
  const before = (database.client.prepare("SELECT COALESCE(max(id), 0) AS hi FROM users").get() as { hi: number }).hi;
  database.client.transaction(() => {
    database.client
      .prepare(
        `WITH RECURSIVE series(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM series WHERE i < CAST(? AS INTEGER))
         INSERT INTO users (role, subscribed, subscribed_at, created_at, last_seen_at)
         SELECT 'subscriber', TRUE, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT) FROM series`,
      )
      .run(count, now, now, now);
    database.client
      .prepare(
        `INSERT INTO channel_addresses (user_id, channel, address, last_inbound_at, created_at)
         SELECT id, 'telegram', CAST(id - CAST(? AS INTEGER) + CAST(? AS INTEGER) AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT)
         FROM users WHERE id > CAST(? AS INTEGER)`,
      )
      .run(before + 1, firstChat, now, now, before);
  })();
}
