import type Database from "better-sqlite3";
import { is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import pg from "pg";
import * as schema from "./schema.js";

export interface CopyReport {
  tables: { table: string; rows: number }[];
  totalRows: number;
}

export class CopyError extends Error {}

interface TablePlan {
  name: string;
  columns: { name: string; boolean: boolean; identity: boolean }[];
  dependsOn: string[];
}

const BATCH = 500;

/** Every table of the schema, parents before children (the order foreign keys need). */
export function copyOrder(): TablePlan[] {
  const plans = (Object.values(schema) as unknown[])
    .filter((t): t is PgTable => is(t, PgTable))
    .map((t): TablePlan => {
      const config = getTableConfig(t);
      return {
        name: config.name,
        columns: config.columns.map((c) => ({ name: c.name, boolean: c.columnType === "PgBoolean", identity: "generatedIdentity" in c && c.generatedIdentity !== undefined })),
        dependsOn: config.foreignKeys.map((fk) => getTableConfig(fk.reference().foreignTable).name).filter((n) => n !== config.name),
      };
    });
  const ordered: TablePlan[] = [];
  const placed = new Set<string>();
  while (ordered.length < plans.length) {
    const ready = plans.filter((p) => !placed.has(p.name) && p.dependsOn.every((d) => placed.has(d)));
    if (ready.length === 0) throw new Error("foreign keys form a cycle");
    for (const p of ready.sort((a, b) => a.name.localeCompare(b.name))) {
      ordered.push(p);
      placed.add(p.name);
    }
  }
  return ordered;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Copies every row of a migrated SQLite database into an empty, migrated PostgreSQL database, in one
 * transaction (all or nothing), then moves each identity sequence past the copied ids. SQLite's 0/1 booleans
 * become booleans; everything else keeps its value. Refuses a target that already holds rows.
 */
export async function copySqliteToPostgres(source: Database.Database, targetUrl: string, onTable?: (table: string, rows: number) => void): Promise<CopyReport> {
  const client = new pg.Client({ connectionString: targetUrl });
  await client.connect();
  const tables: CopyReport["tables"] = [];
  try {
    const plans = copyOrder();
    for (const plan of plans) {
      const { rows } = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${quote(plan.name)}`);
      if (Number(rows[0]?.n ?? 0) > 0) throw new CopyError(`the target database already has rows in "${plan.name}"; copy into an empty database`);
    }
    await client.query("BEGIN");
    for (const plan of plans) {
      const names = plan.columns.map((c) => c.name);
      const select = source.prepare(`SELECT ${names.map(quote).join(", ")} FROM ${quote(plan.name)} ORDER BY rowid`);
      let batch: unknown[][] = [];
      let copied = 0;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const values: unknown[] = [];
        const tuples = batch.map((row) => `(${row.map((v) => (values.push(v), `$${values.length}`)).join(", ")})`);
        await client.query(`INSERT INTO ${quote(plan.name)} (${names.map(quote).join(", ")}) VALUES ${tuples.join(", ")}`, values);
        copied += batch.length;
        batch = [];
      };
      for (const row of select.raw().iterate() as IterableIterator<unknown[]>) {
        batch.push(row.map((value, i) => (plan.columns[i]?.boolean && value !== null ? value === 1 || value === true : value)));
        if (batch.length === BATCH) await flush();
      }
      await flush();
      for (const column of plan.columns.filter((c) => c.identity)) {
        await client.query(
          `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX(${quote(column.name)}) FROM ${quote(plan.name)}), 0) + 1, false)`,
          [plan.name, column.name],
        );
      }
      tables.push({ table: plan.name, rows: copied });
      onTable?.(plan.name, copied);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
  return { tables, totalRows: tables.reduce((n, t) => n + t.rows, 0) };
}
