import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InboundQueue } from "../src/core/inbound/inbound-queue.js";
import { openDatabase } from "../src/db/database.js";
import { SqliteInboundStore } from "../src/db/inbound-store.js";
import { startFakeTelegram, type FakeTelegram } from "./support/fake-telegram.js";
import { startFakeZalo, type FakeZalo } from "./support/fake-zalo.js";
import { FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";
import { testDatabase, connectTestDatabase } from "./support/engine.js";

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function countRows(dbPath: string, where: string): number {
  const db = connectTestDatabase(dbPath, { readonly: true });
  const row = db.prepare(`SELECT count(*) AS n FROM inbound_events WHERE ${where}`).get() as { n: number };
  db.close();
  return row.n;
}

async function metric(url: string, line: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const found = text.split("\n").find((l) => l.startsWith(line));
  return found ? Number(found.split(" ").at(-1)) : 0;
}

describe("Telegram updates go through the inbound queue", () => {
  let fake: FakeTelegram;
  let running: RunningApp;
  let webhook: string;
  const secret = "queue_secret-42-long-enough";
  /** every retry wait the app asked for; the waits themselves run 20 times faster */
  const waits: number[] = [];

  beforeAll(async () => {
    fake = await startFakeTelegram();
    running = await startTestApp(
      { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, PUBLIC_URL: "https://bot.sogd.example.vn", TELEGRAM_WEBHOOK_SECRET: secret },
      undefined,
      undefined,
      {
        sleep: (ms) => {
          waits.push(ms);
          return settle(ms / 20);
        },
      },
    );
    webhook = `${running.url}/webhooks/telegram`;
  });
  afterAll(async () => {
    await running.stop();
    await fake.stop();
  });

  it("acknowledges a webhook update at once while its reply waits out two 429s, and answers a resend once", async () => {
    fake.failNext("sendMessage", { status: 429, retryAfter: 31 }, 2);
    const update = fake.textUpdate(8101, "xin chào");
    const started = performance.now();
    const res = await fake.postToWebhook(webhook, update, secret);
    const ackMs = performance.now() - started;
    expect(res.status).toBe(200);
    expect(ackMs).toBeLessThan(500);
    // The 200 did not wait for the reply (which needs 2 × 31 s of retry_after).
    expect(fake.sent.filter((m) => m.chatId === 8101)).toHaveLength(0);
    // Telegram gives up on a slow webhook after ~60 s and resends the same update_id.
    expect((await fake.postToWebhook(webhook, update, secret)).status).toBe(200);
    await fake.waitForSent((m) => m.chatId === 8101, 8000);
    await settle(500);
    const texts = fake.sent.filter((m) => m.chatId === 8101).map((m) => m.visibleText);
    expect(texts.length).toBeGreaterThan(0);
    expect(new Set(texts).size).toBe(texts.length);
    expect(waits.filter((ms) => ms === 31_000)).toHaveLength(2);
    expect(await metric(running.url, 'bot_inbound_events_total{channel="telegram",outcome="duplicate"}')).toBe(1);
  });

  it("answers the same update_id once when it arrives twice", async () => {
    const update = fake.textUpdate(8102, "tra cứu điểm thi ở đâu");
    await Promise.all([fake.postToWebhook(webhook, update, secret), fake.postToWebhook(webhook, update, secret)]);
    await fake.waitForSent((m) => m.chatId === 8102, 8000);
    await settle(400);
    const texts = fake.sent.filter((m) => m.chatId === 8102).map((m) => m.visibleText);
    expect(new Set(texts).size).toBe(texts.length);
    expect(countRows(running.dbPath, `channel = 'telegram' AND dedupe_key = '${update.update_id}'`)).toBe(1);
    // Once answered, the row keeps only what de-duplication needs: not the message, not the chat.
    expect(countRows(running.dbPath, `dedupe_key = '${update.update_id}' AND state = 'done' AND payload = '' AND sender = ''`)).toBe(1);
  });

  it("answers one chat's updates in the order they arrived", async () => {
    const first = fake.textUpdate(8103, "/lang en");
    const second = fake.textUpdate(8103, "/lang vi");
    await fake.postToWebhook(webhook, first, secret);
    await fake.postToWebhook(webhook, second, secret);
    await fake.waitForSent((m) => m.chatId === 8103 && m.visibleText.includes("tiếng Việt"), 8000);
    const texts = fake.sent.filter((m) => m.chatId === 8103).map((m) => m.visibleText);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/English/);
    expect(texts[1]).toMatch(/tiếng Việt/);
  });
});

describe("Telegram by polling", () => {
  it("answers an update_id delivered twice once", async () => {
    const fake = await startFakeTelegram();
    const running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });
    try {
      const update = fake.textUpdate(8201, "xin chào");
      fake.pushUpdate(update);
      fake.pushUpdate(update);
      await fake.waitForSent((m) => m.chatId === 8201, 8000);
      await settle(400);
      const texts = fake.sent.filter((m) => m.chatId === 8201).map((m) => m.visibleText);
      expect(new Set(texts).size).toBe(texts.length);
    } finally {
      await running.stop();
      await fake.stop();
    }
  });
});

describe("Zalo events are stored before the 200", () => {
  let zalo: FakeZalo;
  let clock: FakeClock;
  let running: RunningApp;
  let env: Record<string, string>;
  const webhook = (): string => `${running.url}/webhooks/zalo`;

  beforeAll(async () => {
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z"));
    zalo = await startFakeZalo({ now: () => clock.now().getTime() });
    env = zalo.productEnv();
    running = await startTestApp(env, clock);
  });
  afterAll(async () => {
    await running.stop();
    await zalo.stop();
  });

  /** Stops the app (its worker first, as if the process died after the 200s) and starts it on the same database. */
  async function restart(): Promise<void> {
    const dbPath = running.dbPath;
    await running.stop({ keepData: true });
    running = await startTestApp(env, clock, dbPath);
  }

  it("answers every event of a 200-event burst exactly once after the process died before handling them", async () => {
    await zalo.postEvent(webhook(), zalo.textEvent("zq-base", "xin chào", "zq-base-1"));
    await zalo.waitForSent((m) => m.userId === "zq-base", 8000);
    await settle(300);
    const perAnswer = zalo.sentTo("zq-base").length;

    await running.app.inbound.stop(); // nothing is handled from here on: the process is as good as dead
    const users = Array.from({ length: 200 }, (_, i) => `zq-${i}`);
    const statuses = await Promise.all(users.map((u, i) => zalo.postEvent(webhook(), zalo.textEvent(u, "xin chào", `zq-msg-${i}`)).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(countRows(running.dbPath, "channel = 'zalo' AND state = 'pending'")).toBe(200);
    expect(users.some((u) => zalo.sentTo(u).length > 0)).toBe(false);

    await restart();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && users.some((u) => zalo.sentTo(u).length < perAnswer)) await settle(100);
    await settle(500);
    for (const u of users) expect(zalo.sentTo(u)).toHaveLength(perAnswer);
    expect(countRows(running.dbPath, "channel = 'zalo' AND state = 'pending'")).toBe(0);
  }, 60_000);

  it("handles each event of Zalo's console test tool, which shares one msg_id across event types", async () => {
    for (const event of [
      zalo.textEvent("zq-tool", "xin chào", "console-1"),
      zalo.mediaEvent("zq-tool", "user_send_image", "console-1"),
      zalo.mediaEvent("zq-tool", "user_send_sticker", "console-1"),
    ]) {
      expect((await zalo.postEvent(webhook(), event)).status).toBe(200);
    }
    const deadline = Date.now() + 8000;
    const textOnly = (): number => zalo.sentTo("zq-tool").filter((m) => /chỉ đọc được tin nhắn văn bản/.test(m.text)).length;
    while (Date.now() < deadline && textOnly() < 2) await settle(50);
    expect(textOnly()).toBe(2);
    expect(zalo.sentTo("zq-tool").length).toBeGreaterThan(2);
  });

  it("acknowledges and drops events dated too far in the past or the future", async () => {
    const before = await metric(running.url, 'bot_rejected_requests_total{channel="zalo",reason="stale"}');
    const old = zalo.textEvent("zq-old", "xin chào", "old-1");
    old.timestamp = String(Date.parse("2020-01-01T00:00:00Z"));
    const late = zalo.textEvent("zq-old", "xin chào", "old-2");
    late.timestamp = String(clock.now().getTime() - 3 * 3_600_000);
    const future = zalo.textEvent("zq-future", "xin chào", "future-1");
    future.timestamp = String(Date.parse("2099-01-01T00:00:00Z"));
    const soon = zalo.textEvent("zq-future", "xin chào", "future-2");
    soon.timestamp = String(clock.now().getTime() + 10 * 60_000);
    for (const event of [old, late, future, soon]) expect((await zalo.postEvent(webhook(), event)).status).toBe(200);
    await settle(400);
    expect(zalo.sentTo("zq-old")).toHaveLength(0);
    expect(zalo.sentTo("zq-future")).toHaveLength(0);
    expect(await metric(running.url, 'bot_rejected_requests_total{channel="zalo",reason="stale"}')).toBe(before + 4);
    // A resend inside the window is still answered (by the first copy).
    const recent = zalo.textEvent("zq-recent", "xin chào", "recent-1");
    recent.timestamp = String(clock.now().getTime() - 50 * 60_000);
    expect((await zalo.postEvent(webhook(), recent)).status).toBe(200);
    await zalo.waitForSent((m) => m.userId === "zq-recent", 8000);
  });

  it("treats a replay after the de-duplication rows are purged as stale", async () => {
    const event = zalo.textEvent("zq-replay", "xin chào", "replay-1");
    await zalo.postEvent(webhook(), event);
    await zalo.waitForSent((m) => m.userId === "zq-replay", 8000);
    await settle(300);
    const answered = zalo.sentTo("zq-replay").length;
    expect((await zalo.postEvent(webhook(), event)).status).toBe(200); // a resend: a duplicate
    clock.advance(49 * 3_600_000);
    await restart(); // purges handled rows older than 48 hours
    expect(countRows(running.dbPath, "dedupe_key = 'user_send_text:replay-1'")).toBe(0);
    expect((await zalo.postEvent(webhook(), event)).status).toBe(200);
    await settle(400);
    expect(zalo.sentTo("zq-replay")).toHaveLength(answered);
    expect(await metric(running.url, 'bot_rejected_requests_total{channel="zalo",reason="stale"}')).toBe(1);
  });
});

describe("InboundQueue retries", () => {
  const silent = { info: () => {}, warn: () => {}, error: () => {} };

  it("retries a failing handling up to three attempts, then marks it failed and goes on with the sender's next event", async () => {
    const database = openDatabase(testDatabase(":memory:"));
    const queue = new InboundQueue({ store: new SqliteInboundStore(database.db), clock: { now: () => new Date() }, logger: silent, sleep: async () => {} });
    const seen: string[] = [];
    let flaky = 0;
    queue.register("test", (payload) => {
      const { text } = payload as { text: string };
      seen.push(text);
      if (text === "flaky" && ++flaky < 3) throw new Error("database is locked");
      if (text === "broken") throw new Error("always");
    });
    queue.start();
    for (const text of ["flaky", "broken", "after"]) queue.accept({ channel: "test", dedupeKey: text, sender: "s1", payload: { text } });
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && !seen.includes("after")) await settle(10);
    await queue.stop();
    expect(seen).toEqual(["flaky", "flaky", "flaky", "broken", "broken", "broken", "after"]);
    const states = database.client.prepare("SELECT dedupe_key AS k, state, attempts FROM inbound_events ORDER BY id").all();
    expect(states).toEqual([
      { k: "flaky", state: "done", attempts: 3 },
      { k: "broken", state: "failed", attempts: 3 },
      { k: "after", state: "done", attempts: 1 },
    ]);
    database.close();
  });

  it("gives up on an event whose handling a crash interrupted three times", async () => {
    const database = openDatabase(testDatabase(":memory:"));
    const store = new SqliteInboundStore(database.db);
    const queue = new InboundQueue({ store, clock: { now: () => new Date() }, logger: silent });
    const seen: string[] = [];
    queue.register("test", (payload) => void seen.push((payload as { text: string }).text));
    queue.accept({ channel: "test", dedupeKey: "poison", sender: "s1", payload: { text: "poison" } });
    queue.accept({ channel: "test", dedupeKey: "fine", sender: "s1", payload: { text: "fine" } });
    for (let i = 0; i < 3; i++) store.begin(1); // three starts that never finished
    queue.start();
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && !seen.includes("fine")) await settle(10);
    await queue.stop();
    expect(seen).toEqual(["fine"]);
    expect(database.client.prepare("SELECT state FROM inbound_events WHERE dedupe_key = 'poison'").get()).toEqual({ state: "failed" });
    database.close();
  });
});
