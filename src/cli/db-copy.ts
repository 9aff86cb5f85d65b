/**
 * npm run db:copy -- --from ./data/bot.db --to postgres://user@host/db
 * Moves a SQLite database to PostgreSQL: migrates both to the current schema, then copies every row in one
 * transaction (all or nothing) and checks that each table holds as many rows as the source. The target must be
 * empty. Stop the server first, so nothing is written to the SQLite file during the copy.
 */
import { existsSync } from "node:fs";
import { openDatabase } from "../db/database.js";
import { CopyError, copySqliteToPostgres } from "../db/pg/copy-from-sqlite.js";
import { isPostgresUrl, migratePostgres, openPostgres } from "../db/pg/postgres.js";
import { argValue } from "./shared.js";

const args = process.argv.slice(2);
const from = argValue(args, "--from");
const to = argValue(args, "--to");
if (!from || !to || !isPostgresUrl(to)) {
  console.error("usage: npm run db:copy -- --from <sqlite file> --to postgres://…");
  process.exit(2);
}
if (!existsSync(from)) {
  console.error(`${from}: no such file`);
  process.exit(2);
}

const source = openDatabase(from);
if (!source.sqlite) throw new CopyError("--from must be a SQLite file");
try {
  await migratePostgres(to);
  const started = performance.now();
  const report = await copySqliteToPostgres(source.sqlite, to, (table, rows) => console.log(`  ${table}: ${rows} rows`));
  const target = openPostgres(to, 1);
  try {
    for (const { table, rows } of report.tables) {
      const counted = Number((await target.pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${table}"`)).rows[0]?.n);
      if (counted !== rows) throw new CopyError(`${table}: ${rows} rows copied but ${counted} found afterwards`);
    }
  } finally {
    await target.close();
  }
  console.log(`copied ${report.totalRows} rows in ${report.tables.length} tables in ${((performance.now() - started) / 1000).toFixed(1)} s; every table checked`);
} catch (error) {
  console.error(error instanceof CopyError ? error.message : error);
  process.exitCode = 1;
} finally {
  source.close();
}
