import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type OpenDatabase } from "../src/db/database.js";
import { SqliteLeases } from "../src/db/lease-store.js";
import { Enqueue } from "../src/outbox/enqueue.js";
import { DatabaseSenderLease, SENDER_LEASE_MS } from "../src/outbox/sender-lease.js";
import { SqliteOutbox } from "../src/outbox/sqlite-outbox-store.js";
import { startFakeTelegram, type FakeTelegram } from "./support/fake-telegram.js";
import { adminCall, startTestApp, type RunningApp } from "./support/test-app.js";
import { testDatabase } from "./support/engine.js";

// Issue 12: several instances on one outbox. Claims carry their instance and lapse, so a dead instance's rows
// come back and a live one's never do; one instance at a time sends on a channel.
describe("instances sharing one outbox", () => {
  const dir = mkdtempSync(join(tmpdir(), "sogd-outbox-"));
  let a: OpenDatabase;
  let b: OpenDatabase;
  const LEASE = 120_000;
  const t0 = new Date("2026-01-13T03:00:00Z");

  beforeAll(() => {
    a = openDatabase(testDatabase(join(dir, "bot.db")));
    b = openDatabase(testDatabase(join(dir, "bot.db")));
    const insertUser = a.client.prepare("INSERT INTO users (role, subscribed, created_at, last_seen_at) VALUES ('it_lead', FALSE, 0, 0)");
    const insertAddress = a.client.prepare("INSERT INTO channel_addresses (user_id, channel, address, last_inbound_at, created_at) VALUES (?, 'telegram', ?, 1, 0)");
    const enqueue = new Enqueue(new SqliteOutbox(a, "vi"));
    for (let i = 0; i < 20; i++) {
      const userId = Number(insertUser.run().lastInsertRowid);
      insertAddress.run(userId, String(1000 + i));
      enqueue.person({ cause: { type: "reminder", id: i + 1 }, userId, rule: { lastUsed: true }, urgent: false, notBefore: t0 }, t0);
    }
  });
  afterAll(() => {
    a.close();
    b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("never gives two instances the same row; a dead instance's claims return after the lease, a live one's never", () => {
    const first = new SqliteOutbox(a, "vi", { claims: { owner: "instance-a", leaseMs: LEASE } });
    const second = new SqliteOutbox(b, "vi", { claims: { owner: "instance-b", leaseMs: LEASE } });
    const claimedA = first.claimDue("telegram", t0, 6, false).map((r) => r.id);
    const claimedB = second.claimDue("telegram", t0, 6, false).map((r) => r.id);
    expect(claimedA).toHaveLength(6);
    expect(claimedB).toHaveLength(6);
    expect(claimedA.filter((id) => claimedB.includes(id))).toEqual([]);

    // B restarts: it takes back its own claims at once and leaves A's (alive, still sending) alone.
    expect(second.releaseClaims()).toBe(6);
    const afterRestart = second.claimDue("telegram", new Date(t0.getTime() + 1000), 20, false).map((r) => r.id);
    expect(afterRestart).toHaveLength(14);
    expect(afterRestart.filter((id) => claimedA.includes(id))).toEqual([]);

    // A dies holding 6 rows: they stay with it until the lease lapses, then B takes them.
    expect(second.claimDue("telegram", new Date(t0.getTime() + LEASE - 1), 20, false)).toEqual([]);
    const recovered = second.claimDue("telegram", new Date(t0.getTime() + LEASE + 1), 20, false).map((r) => r.id);
    expect(recovered.sort((x, y) => x - y)).toEqual(claimedA.sort((x, y) => x - y));
  });

  it("lets one instance at a time hold a channel's sender lease, and another take over within the lease after it dies", () => {
    const leaseA = new DatabaseSenderLease(new SqliteLeases(a.db), "instance-a");
    const leaseB = new DatabaseSenderLease(new SqliteLeases(b.db), "instance-b");
    expect(leaseA.hold("telegram", t0)).toBe(true);
    expect(leaseB.hold("telegram", t0)).toBe(false);
    expect(leaseB.hold("zalo", t0)).toBe(true); // channels are independent
    expect(leaseA.hold("telegram", new Date(t0.getTime() + 5_000))).toBe(true); // renewed while sending
    // A dies: no renewal after +5 s; B takes over once the lease lapses.
    expect(leaseB.hold("telegram", new Date(t0.getTime() + 5_000 + SENDER_LEASE_MS - 1))).toBe(false);
    expect(leaseB.hold("telegram", new Date(t0.getTime() + 5_000 + SENDER_LEASE_MS + 1))).toBe(true);
  });
});

describe("two instances of the product sending one broadcast", () => {
  let fake: FakeTelegram;
  let first: RunningApp;
  let second: RunningApp;

  beforeAll(async () => {
    fake = await startFakeTelegram();
    const env = { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot };
    first = await startTestApp({ ...env, INSTANCE_ID: "instance-a" }, new Date());
    second = await startTestApp({ ...env, INSTANCE_ID: "instance-b" }, new Date(), first.dbPath);
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
    await fake?.stop();
  });

  it("sends each recipient exactly one message, the channel's sender lease held by one of them", async () => {
    // 40 subscribers on Telegram, as /subscribe leaves them.
    for (let i = 0; i < 40; i++) {
      fake.pushUpdate(fake.textUpdate(7000 + i, "/subscribe", { languageCode: "vi" }));
    }
    await fake.waitForSent((m) => m.chatId === 7039, 15_000);
    const before = fake.sent.length;
    const token = first.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", first.clock.now()).token;
    const created = await adminCall(first.url, "POST", "/api/admin/broadcasts", token, { title: "Hai máy chủ", text: { vi: "Thông báo thử qua hai máy chủ" }, audience: { roles: ["subscriber"] } });
    expect(created.status).toBe(201);
    await expect.poll(() => fake.sent.slice(before).filter((m) => m.visibleText.includes("Thông báo thử qua hai máy chủ")).length, { timeout: 20_000 }).toBe(40);
    await new Promise((r) => setTimeout(r, 1000)); // anything sent twice would show by now
    const sent = fake.sent.slice(before).filter((m) => m.visibleText.includes("Thông báo thử qua hai máy chủ"));
    expect(new Set(sent.map((m) => m.chatId)).size).toBe(40);
    expect(sent).toHaveLength(40);
    const holder = new SqliteLeases(first.app.database.db).holder("sender:telegram", Date.now());
    expect(["instance-a", "instance-b"]).toContain(holder);
  }, 40_000);
});
