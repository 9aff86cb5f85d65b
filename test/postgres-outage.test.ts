import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PostgresSqliteClient } from "../src/db/pg/sqlite-compatible-client.js";
import { PostgresError, SyncPostgres } from "../src/db/pg/sync-postgres.js";
import { startFakeTelegram, type FakeTelegram } from "./support/fake-telegram.js";
import { describeWithPostgres, freshPostgresDatabase, testDatabaseUrl } from "./support/postgres.js";
import { postChat, startTestApp, webSession, type RunningApp } from "./support/test-app.js";

/** Runs one statement on the test server (not on the product's database, which may be refusing connections). */
async function onServer(text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

const nameOf = (url: string) => new URL(url).pathname.slice(1);
const dropConnections = (name: string) => onServer(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`);

describeWithPostgres("PostgreSQL restarting or failing over under a running instance", () => {
  let target: { url: string; drop(): Promise<void> };
  let telegram: FakeTelegram;
  let running: RunningApp;

  beforeAll(async () => {
    target = await freshPostgresDatabase();
    telegram = await startFakeTelegram();
    running = await startTestApp({ DATABASE_URL: target.url, TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot });
  }, 60_000);
  afterAll(async () => {
    await running?.stop();
    await telegram?.stop();
    await onServer(`ALTER DATABASE ${nameOf(target.url)} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await target?.drop();
  });

  it("connections the server dropped are opened again: the next question is answered", async () => {
    const user = await webSession(running.url, "outage-a");
    expect((await postChat(running.url, user, "xin chào")).status).toBe(200);
    await dropConnections(nameOf(target.url));
    await new Promise((r) => setTimeout(r, 300));
    const after = await postChat(running.url, user, "tra cứu điểm thi ở đâu");
    expect(after.status).toBe(200);
    expect(after.replies[0]?.text).toMatch(/điểm thi/);
  });

  it("while the database refuses connections: 503 with a code, /healthz says so, the process lives, and a Telegram message is answered once it is back", async () => {
    const name = nameOf(target.url);
    const user = await webSession(running.url, "outage-b");
    await onServer(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await dropConnections(name);
    await new Promise((r) => setTimeout(r, 300));

    const refused = await postChat(running.url, user, "xin chào");
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe("5");
    expect(refused.error).toMatch(/database does not answer/);
    const health = await fetch(`${running.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "degraded", database: "unreachable" });

    // Polled meanwhile: Telegram must not be told it was taken before it is stored.
    telegram.pushUpdate(telegram.textUpdate(7001, "tra cứu văn bằng ở đâu"));
    await new Promise((r) => setTimeout(r, 1500));
    expect(telegram.sent.filter((m) => m.chatId === 7001)).toHaveLength(0);

    await onServer(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    const reply = await telegram.waitForSent((m) => m.chatId === 7001, 20_000);
    expect(reply.visibleText).toMatch(/văn bằng/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(telegram.sent.filter((m) => m.chatId === 7001)).toHaveLength(1);

    const back = await postChat(running.url, user, "cảm ơn");
    expect(back.status).toBe(200);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  }, 40_000);

  it("a transaction whose connection is lost commits nothing, not even on the new connection", () => {
    const client = new PostgresSqliteClient(new SyncPostgres(target.url));
    const killer = new SyncPostgres(target.url);
    try {
      client.prepare("CREATE TABLE outage_probe (n integer)").run();
      const pid = (client.prepare("SELECT pg_backend_pid() AS pid").get() as { pid: number }).pid;
      const insert = client.prepare("INSERT INTO outage_probe (n) VALUES (?)");
      let failure: unknown;
      try {
        client.transaction(() => {
          insert.run(1);
          killer.query("SELECT pg_terminate_backend($1)", [pid]);
          insert.run(2);
        })();
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(PostgresError);
      expect((failure as PostgresError).unavailable).toBe(true);
      expect(client.prepare("SELECT count(*) AS n FROM outage_probe").get()).toEqual({ n: 0 });
      insert.run(3);
      expect(client.prepare("SELECT n FROM outage_probe").all()).toEqual([{ n: 3 }]);
    } finally {
      killer.close();
      client.close();
    }
  });
});
