import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type OpenDatabase } from "../src/db/database.js";
import { dedupeKey, Enqueue } from "../src/outbox/enqueue.js";
import { SqliteOutbox } from "../src/outbox/sqlite-outbox-store.js";
import { testDatabase } from "./support/engine.js";

const NOW = new Date("2026-01-13T03:00:00Z");

describe("enqueue: the one way into the outbox", () => {
  let database: OpenDatabase;
  let enqueue: Enqueue;
  let outbox: SqliteOutbox;

  function person(locale: "vi" | "en" | null, subscribed: boolean, addresses: [string, string, number, boolean?][]): number {
    const id = Number(
      database.client
        .prepare("INSERT INTO users (role, locale, subscribed, created_at, last_seen_at) VALUES ('it_lead', ?, ?, 0, 0)")
        .run(locale, subscribed ? 1 : 0).lastInsertRowid,
    );
    for (const [channel, address, lastInbound, unreachable] of addresses) {
      database.client
        .prepare("INSERT INTO channel_addresses (user_id, channel, address, last_inbound_at, unreachable_at, created_at) VALUES (?, ?, ?, ?, ?, 0)")
        .run(id, channel, address, lastInbound, unreachable ? 1 : null);
    }
    return id;
  }

  function rows(): { dedupe_key: string; channel: string; address: string; locale: string; status: string; reason: string | null }[] {
    return database.client.prepare("SELECT dedupe_key, channel, address, locale, status, reason FROM outbox ORDER BY id").all() as never;
  }

  beforeEach(() => {
    database = openDatabase(testDatabase(":memory:"));
    outbox = new SqliteOutbox(database, "vi");
    enqueue = new Enqueue(outbox);
  });
  afterEach(() => database.close());

  it("a reminder goes to the last-used pushable address, in the person's language, once", () => {
    const userId = person("en", false, [["telegram", "11", 100], ["zalo", "z1", 300, true], ["web", "w1", 900]]);
    const request = { cause: { type: "reminder" as const, id: 7 }, userId, rule: { lastUsed: true as const }, urgent: false, notBefore: NOW };
    expect(enqueue.person(request, NOW)).toBe(1);
    expect(enqueue.person(request, NOW)).toBe(0);
    expect(rows()).toEqual([
      { dedupe_key: dedupeKey({ type: "reminder", id: 7 }, "telegram", "11"), channel: "telegram", address: "11", locale: "en", status: "queued", reason: null },
    ]);
  });

  it("falls back to another channel only once per cause, and to the default language when none was chosen", () => {
    const userId = person(null, false, [["telegram", "12", 100], ["zalo", "z2", 300]]);
    const cause = { type: "reminder" as const, id: 8 };
    expect(enqueue.person({ cause, userId, rule: { lastUsed: true }, urgent: false, notBefore: NOW }, NOW)).toBe(1);
    const fallback = { cause, userId, rule: { lastUsed: true as const, except: "zalo" as const }, urgent: false, notBefore: NOW };
    expect(enqueue.person(fallback, NOW)).toBe(1);
    expect(enqueue.person({ ...fallback, rule: { lastUsed: true, except: "telegram" } }, NOW)).toBe(0);
    expect(rows().map((r) => `${r.channel}:${r.address}:${r.locale}`)).toEqual(["zalo:z2:vi", "telegram:12:vi"]);
  });

  it("many reminders at once go where one at a time would: the last-used chat, nothing for a person with no chat, turned-off channels or an order of their own, never twice", () => {
    const unit = database.client
      .prepare("INSERT INTO units (code, name, name_folded, type, level, created_at, updated_at) VALUES ('S1', 'Trường 1', 'truong 1', 'school', 'thcs', 0, 0)")
      .run().lastInsertRowid;
    const insertPerson = database.client.prepare(
      "INSERT INTO people (ref, name, role, unit_id, user_id, reach_off, reach_order, created_at, updated_at) VALUES (?, ?, 'it_lead', ?, ?, ?, ?, 0, 0)",
    );
    const both = person("en", false, [["telegram", "31", 100], ["zalo", "z31", 300]]);
    const offZalo = person(null, false, [["telegram", "32", 100], ["zalo", "z32", 300]]);
    const ownOrder = person("vi", false, [["telegram", "33", 100]]);
    const webOnly = person("vi", false, [["web", "w34", 900]]);
    insertPerson.run("P1", "Một", unit, both, null, null);
    insertPerson.run("P2", "Hai", unit, offZalo, '["zalo"]', null);
    insertPerson.run("P3", "Ba", unit, ownOrder, null, '["email","telegram"]');
    insertPerson.run("P4", "Bốn", unit, webOnly, null, null);
    const recipients = sql`SELECT p.id + 40 AS cause_id, p.user_id AS user_id FROM people p`;
    const request = { causeType: "reminder" as const, recipients, urgent: false, notBefore: NOW };
    expect(enqueue.lastUsedForMany(request, NOW)).toBe(2);
    expect(enqueue.lastUsedForMany(request, NOW)).toBe(0);
    const ids = (database.client.prepare("SELECT id FROM people ORDER BY id").all() as { id: number }[]).map((p) => p.id + 40);
    expect(rows()).toEqual([
      { dedupe_key: dedupeKey({ type: "reminder", id: ids[0] as number }, "zalo", "z31"), channel: "zalo", address: "z31", locale: "en", status: "queued", reason: null },
      { dedupe_key: dedupeKey({ type: "reminder", id: ids[1] as number }, "telegram", "32"), channel: "telegram", address: "32", locale: "vi", status: "queued", reason: null },
    ]);
  });

  it("a staff reply goes to exactly the address the person asked from", () => {
    const userId = person("vi", false, [["telegram", "13", 500], ["zalo", "z3", 100]]);
    const cause = { type: "handoff_reply" as const, id: 1 };
    expect(enqueue.person({ cause, userId, rule: { channel: "zalo", address: "z3" }, urgent: true, notBefore: NOW }, NOW)).toBe(1);
    expect(rows().map((r) => `${r.channel}:${r.address}`)).toEqual(["zalo:z3"]);
  });

  it("a broadcast writes every matched address, the unsendable ones as skipped with their reason, and never twice", () => {
    person("vi", true, [["telegram", "21", 0], ["web", "w21", 0]]);
    person("en", false, [["telegram", "22", 0]]);
    person("vi", true, [["zalo", "z23", 0, true]]);
    const request = { cause: { type: "broadcast" as const, id: 3 }, where: sql`1 = 1`, urgent: false, notBefore: NOW };
    expect(enqueue.selection(request, NOW)).toBe(4);
    expect(enqueue.selection(request, NOW)).toBe(0);
    expect(rows().map((r) => `${r.address}:${r.status}:${r.reason ?? ""}`)).toEqual([
      "21:queued:",
      "w21:skipped:no_push_channel",
      "22:skipped:not_subscribed",
      "z23:skipped:unreachable",
    ]);
    expect(outbox.countSelection(sql`1 = 1`)).toEqual({ total: 4, queued: 1, skipped: { no_push_channel: 1, not_subscribed: 1, unreachable: 1 } });
  });
});
