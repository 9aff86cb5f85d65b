import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { copyOrder } from "../src/db/pg/copy-from-sqlite.js";
import { openPostgres } from "../src/db/pg/postgres.js";
import { staffAccount } from "./support/staff-account.js";
import { describeWithPostgres, freshPostgresDatabase } from "./support/postgres.js";
import { adminCall, chat, startTestApp, type RunningApp } from "./support/test-app.js";

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
const FIXTURES = join(import.meta.dirname, "fixtures");
const tsx = (script: string, args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ["--import", "tsx", join(ROOT, "src", "cli", script), ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: "silent", ...env } });

describeWithPostgres("moving a SQLite database to PostgreSQL", () => {
  let running: RunningApp;
  let target: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    // A SQLite database with real rows in it: the registry, a link, staff, questions, a broadcast, tokens.
    running = await startTestApp();
    const token = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", running.clock.now()).token;
    for (const kind of ["units", "people"]) {
      expect((await adminCall(running.url, "POST", `/api/admin/imports/${kind}`, token, readFileSync(join(FIXTURES, `${kind}-sample.csv`), "utf8"), "text/csv")).status).toBe(200);
    }
    await adminCall(running.url, "POST", "/api/admin/people/CB0003/link-code", token);
    for (const [who, text] of [["a", "/subscribe"], ["b", "tra cứu điểm thi ở đâu"], ["c", "qwzx plorp"], ["a", "Ở đâu xem điểm?"]]) await chat(running.url, `p-${who}`, text as string);
    await staffAccount(running, "lan");
    const created = await adminCall(running.url, "POST", "/api/admin/broadcasts", token, { title: "Thử", text: { vi: "Xin chào **các trường**" }, audience: {} });
    expect(created.status).toBe(201);
    await running.stop({ keepData: true });
    target = await freshPostgresDatabase();
  }, 60_000);
  afterAll(async () => {
    await target?.drop();
  });

  it("copies every row of every table, booleans as booleans, and moves the id sequences past them", async () => {
    const { stdout } = await tsx("db-copy.ts", ["--from", running.dbPath, "--to", target.url]);
    expect(stdout).toMatch(/copied \d+ rows in \d+ tables in [\d.]+ s; every table checked/);

    const source = new Database(running.dbPath, { readonly: true });
    // Read back as the product reads PostgreSQL (bigint times as numbers).
    const { pool: client } = openPostgres(target.url, 1);
    try {
      let nonEmpty = 0;
      for (const plan of copyOrder()) {
        const names = plan.columns.map((c) => `"${c.name}"`).join(", ");
        const order = plan.columns.map((_, i) => i + 1).join(", ");
        const before = (source.prepare(`SELECT ${names} FROM "${plan.name}" ORDER BY ${order}`).raw().all() as unknown[][]).map((row) =>
          row.map((v, i) => (plan.columns[i]?.boolean && v !== null ? v === 1 : v)),
        );
        const after = (await client.query({ text: `SELECT ${names} FROM "${plan.name}" ORDER BY ${order}`, rowMode: "array" })).rows as unknown[][];
        expect(after, plan.name).toEqual(before);
        if (before.length > 0) nonEmpty++;
      }
      expect(nonEmpty).toBeGreaterThan(10);
      // A row written on PostgreSQL after the move gets a new id, not one of the copied ones.
      const maxId = Number((await client.query("SELECT MAX(id) AS m FROM users")).rows[0].m);
      const inserted = await client.query("INSERT INTO users (role, subscribed, locale_chosen, created_at, last_seen_at) VALUES ('subscriber', false, false, 1, 1) RETURNING id");
      expect(Number(inserted.rows[0].id)).toBeGreaterThan(maxId);
    } finally {
      source.close();
      await client.end();
    }
  });

  it("refuses to copy into a database that already holds rows, and changes nothing there", async () => {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    const count = async () => Number((await client.query("SELECT COUNT(*) AS n FROM conversation_log")).rows[0].n);
    const before = await count();
    const failed = await tsx("db-copy.ts", ["--from", running.dbPath, "--to", target.url]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/already has rows in "[a-z_]+"; copy into an empty database/);
    expect(await count()).toBe(before);
    await client.end();
  });

  it("migrates an empty PostgreSQL database with the committed migrations, twice at once without harm", async () => {
    const fresh = await freshPostgresDatabase();
    try {
      const results = await Promise.all([tsx("db-migrate.ts", [], { DATABASE_URL: fresh.url }), tsx("db-migrate.ts", ["--url", fresh.url])]);
      for (const { stdout } of results) expect(stdout).toMatch(/PostgreSQL .*: migrations applied/);
      const client = new pg.Client({ connectionString: fresh.url });
      await client.connect();
      const columns = (await client.query("SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'public'")).rows as {
        table_name: string;
        column_name: string;
        data_type: string;
      }[];
      await client.end();
      for (const plan of copyOrder()) {
        for (const column of plan.columns) {
          const found = columns.find((c) => c.table_name === plan.name && c.column_name === column.name);
          expect(found, `${plan.name}.${column.name}`).toBeDefined();
          if (column.boolean) expect(found?.data_type).toBe("boolean");
          if (column.name.endsWith("_at")) expect(found?.data_type, `${plan.name}.${column.name}`).toBe("bigint");
        }
      }
    } finally {
      await fresh.drop();
    }
  });
});
