import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migratePostgres } from "../../src/db/pg/postgres.js";

/**
 * The PostgreSQL run's global setup: one migrated template database that every test database of this run is
 * copied from (CREATE DATABASE … TEMPLATE is much faster than migrating each), and at the end this run's
 * databases dropped. Names carry a run id, so two runs on one server (two checkouts) never touch each other's.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error("the postgres project needs TEST_DATABASE_URL");
  const run = `sogd_${randomBytes(4).toString("hex")}`;
  const template = `${run}_template`;
  await query(server, `CREATE DATABASE ${template}`);
  const url = new URL(server);
  url.pathname = `/${template}`;
  await migratePostgres(url.toString());
  project.provide("postgresRun", run);
  return () => dropRun(server, run);
}

async function dropRun(server: string, run: string): Promise<void> {
  const names = await query(server, `SELECT datname FROM pg_database WHERE datname LIKE '${run}_%'`);
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

declare module "vitest" {
  export interface ProvidedContext {
    postgresRun: string;
  }
}
