/**
 * npm run db:migrate — applies the committed migrations: to PostgreSQL when DATABASE_URL (or --url) is a
 * postgres:// URL, otherwise to the SQLite file at DATABASE_PATH. Safe to run again, and from several
 * machines at once on PostgreSQL (an advisory lock serialises them).
 */
import { loadConfig } from "../config.js";
import { openDatabase } from "../db/database.js";
import { isPostgresUrl, migratePostgres } from "../db/pg/postgres.js";
import { argValue } from "./shared.js";

const config = loadConfig();
const url = argValue(process.argv.slice(2), "--url") ?? config.DATABASE_URL;
if (url !== undefined && !isPostgresUrl(url)) {
  console.error("--url must be a postgres:// URL");
  process.exit(2);
}
if (url) {
  await migratePostgres(url);
  console.log(`PostgreSQL ${redact(url)}: migrations applied`);
} else {
  openDatabase(config.DATABASE_PATH).close();
  console.log(`SQLite ${config.DATABASE_PATH}: migrations applied`);
}

/** The URL without its password, for the terminal. */
function redact(value: string): string {
  return value.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}
