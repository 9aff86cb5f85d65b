import pg from "pg";
import { migratePostgres } from "../../src/db/pg/postgres.js";
import { TEMPLATE_DATABASE, TEST_DATABASE_PREFIX } from "./engine.js";

/**
 * The PostgreSQL run's global setup: one migrated template database that every test database is copied from
 * (CREATE DATABASE … TEMPLATE is much faster than migrating each), and at the end every test database dropped.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error("the postgres project needs TEST_DATABASE_URL");
  await dropTestDatabases(server);
  await query(server, `DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  await query(server, `CREATE DATABASE ${TEMPLATE_DATABASE}`);
  const url = new URL(server);
  url.pathname = `/${TEMPLATE_DATABASE}`;
  await migratePostgres(url.toString());
  return () => dropTestDatabases(server);
}

async function dropTestDatabases(server: string): Promise<void> {
  const names = await query(server, `SELECT datname FROM pg_database WHERE datname LIKE '${TEST_DATABASE_PREFIX}%'`);
  for (const { datname } of names as { datname: string }[]) await query(server, `DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
}

async function query(server: string, text: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}
