import { join } from "node:path";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import * as schema from "./schema.js";

/** The committed drizzle-kit migrations of the PostgreSQL schema. */
export const PG_MIGRATIONS = join(import.meta.dirname, "migrations");

export type PgDb = NodePgDatabase<typeof schema>;

export interface OpenPostgres {
  db: PgDb;
  pool: pg.Pool;
  close(): Promise<void>;
}

// Unix-millisecond columns are bigint: read them back as numbers, not strings (they stay below 2^53).
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function isPostgresUrl(value: string | undefined): value is string {
  return value !== undefined && /^postgres(ql)?:\/\//i.test(value);
}

export function openPostgres(url: string, max = 10): OpenPostgres {
  const pool = new pg.Pool({ connectionString: url, max });
  return { db: drizzle(pool, { schema }), pool, close: () => pool.end() };
}

/** An arbitrary but fixed key: instances starting together migrate one after the other. */
const MIGRATION_LOCK = 7_361_004_211;

/**
 * Applies the committed migrations (idempotent). Several instances may start at once: a session-level advisory
 * lock lets one migrate while the others wait, then find nothing left to do.
 */
export async function migratePostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await migrate(drizzle(client), { migrationsFolder: PG_MIGRATIONS });
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
}
