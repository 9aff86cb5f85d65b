import { sql, type SQL } from "drizzle-orm";
import { onPostgres, type Db } from "./database.js";

/**
 * The few SQL spellings that differ between the engines; every other statement is written so that SQLite and
 * PostgreSQL read it alike.
 */

/** A JSON array (as text) of `expression` over the rows of the enclosing SELECT; '[]' when there are none. */
export function jsonArrayOf(db: Db, expression: SQL): SQL {
  return onPostgres(db) ? sql`COALESCE(json_agg(${expression})::text, '[]')` : sql`json_group_array(${expression})`;
}

/** Lets concurrent claimers pass over each other's rows on PostgreSQL (SQLite has one writer at a time). */
export function skipLocked(db: Db): SQL {
  return onPostgres(db) ? sql` FOR UPDATE SKIP LOCKED` : sql``;
}
