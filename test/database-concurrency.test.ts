import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type OpenDatabase } from "../src/db/database.js";
import { sqliteOf } from "./support/engine.js";

describe("two processes writing to one SQLite file", () => {
  const opened: OpenDatabase[] = [];
  let dir: string | undefined;
  afterEach(() => {
    for (const d of opened.splice(0)) d.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a transaction that reads then writes holds the write lock from its start, so another writer waits instead of breaking it", () => {
    dir = mkdtempSync(join(tmpdir(), "sogd-concurrency-"));
    const path = join(dir, "bot.db");
    const server = openDatabase(path);
    const cli = openDatabase(path);
    opened.push(server, cli);
    sqliteOf(cli).pragma("busy_timeout = 0");
    const stamp = Date.now();
    const users = server.db.transaction((tx) => {
      const before = tx.all<{ n: number }>(sql`SELECT count(*) AS n FROM users`)[0]?.n ?? 0;
      // Another process tries to write in between: it must wait (here: fail at once, its timeout is 0)…
      expect(() => cli.client.prepare("INSERT INTO users (created_at, last_seen_at) VALUES (?, ?)").run(stamp, stamp)).toThrow(/locked|busy/i);
      // …and this transaction's own write, after its read, still goes through (deferred, it would be SQLITE_BUSY).
      tx.run(sql`INSERT INTO users (created_at, last_seen_at) VALUES (${stamp}, ${stamp})`);
      return before + 1;
    });
    expect(users).toBe(1);
    expect(cli.client.prepare("SELECT count(*) AS n FROM users").get()).toEqual({ n: 1 });
  });
});
