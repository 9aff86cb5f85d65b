import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import { SqliteConversationStore } from "../src/db/conversation-store.js";
import { SqliteWebSessions, webAddressOf } from "../src/db/web-sessions.js";
import { createLogger } from "../src/infra/logger.js";
import { startRetentionJob } from "../src/infra/retention.js";
import { FakeClock } from "./support/test-app.js";
import { testDatabase } from "./support/engine.js";

const DAY = 86_400_000;

describe("conversation log retention", () => {
  it("deletes logs older than LOG_RETENTION_DAYS and keeps newer ones", () => {
    const database = openDatabase(testDatabase(":memory:"));
    const store = new SqliteConversationStore(database.db);
    const clock = new FakeClock(new Date("2026-01-01T00:00:00Z"));
    const user = store.touchUser("web", "parent", clock.now());
    store.logMessage(user.id, "web", { direction: "in", text: "old question", intent: "greeting", at: clock.now() });
    clock.advance(60 * DAY);
    store.logMessage(user.id, "web", { direction: "in", text: "recent question", intent: "greeting", at: clock.now() });
    clock.advance(31 * DAY);
    const lines: string[] = [];
    const logger = { info: (o: object) => lines.push(JSON.stringify(o)), warn: () => {}, error: () => {} };
    const job = startRetentionJob({ store, clock, days: 90, logger, timeZone: "Asia/Ho_Chi_Minh" });
    job.stop();
    expect(store.recentMessages(user.id, 10).map((m) => m.text)).toEqual(["recent question"]);
    expect(lines.join()).toContain('"removed":1');
    database.close();
  });
});

describe("idle anonymous web chat users", () => {
  it("go after CHAT_IDLE_DAYS; staff, linked, Telegram and recent users stay", () => {
    const database = openDatabase(testDatabase(":memory:"));
    const store = new SqliteConversationStore(database.db);
    const sessions = new SqliteWebSessions(database.db);
    const clock = new FakeClock(new Date("2026-01-01T00:00:00Z"));
    const idle = sessions.issue(clock.now());
    const neverUsed = sessions.issue(clock.now());
    const staff = sessions.issue(clock.now());
    const linked = sessions.issue(clock.now());
    const idleUser = store.touchUser("web", webAddressOf(idle), clock.now());
    store.logMessage(idleUser.id, "web", { direction: "in", text: "hello", intent: "greeting", at: clock.now() });
    store.recordUnanswered("gia vang", "vi", clock.now(), idleUser.id);
    const staffUser = store.touchUser("web", webAddressOf(staff), clock.now());
    const linkedUser = store.touchUser("web", webAddressOf(linked), clock.now());
    const telegram = store.touchUser("telegram", "42", clock.now());
    const sql = database.client;
    sql.prepare("UPDATE users SET role = 'it_lead' WHERE id = ?").run(staffUser.id);
    sql.prepare("INSERT INTO units (code, name, name_folded, type, created_at, updated_at) VALUES ('S', 'S', 's', 'school', 0, 0)").run();
    sql.prepare("INSERT INTO people (ref, name, role, unit_id, user_id, created_at, updated_at) VALUES ('P1', 'A', 'it_lead', 1, ?, 0, 0)").run(linkedUser.id);
    clock.advance(29 * DAY);
    const recent = sessions.issue(clock.now());
    clock.advance(2 * DAY);
    const lines: string[] = [];
    const logger = { info: (o: object) => lines.push(JSON.stringify(o)), warn: () => {}, error: () => {} };
    const job = startRetentionJob({ store, clock, days: 90, logger, timeZone: "Asia/Ho_Chi_Minh", idleWebUsers: { store: sessions, days: 30 } });
    job.stop();
    expect(sessions.addressOf(idle)).toBeUndefined();
    expect(sessions.addressOf(neverUsed)).toBeUndefined();
    expect(sessions.addressOf(staff)).toBeDefined();
    expect(sessions.addressOf(linked)).toBeDefined();
    expect(sessions.addressOf(recent)).toBeDefined();
    expect(store.isUnreachable("telegram", "42")).toBe(false);
    const count = (table: string) => (sql.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(count("conversation_log")).toBe(0);
    expect(count("unanswered_askers")).toBe(0);
    expect(sql.prepare("SELECT id FROM users WHERE id = ?").get(telegram.id)).toBeDefined();
    expect(lines.join()).toContain('"users":2');
    database.close();
  });
});

describe("logs", () => {
  it("never print a bot token, even inside an error's URL", () => {
    const out: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        out.push(String(chunk));
        done();
      },
    });
    const logger = createLogger("info", sink);
    const token = "123456789:TESTtokenForTheRedactionCheck0042";
    logger.error({ err: new Error(`request to https://api.telegram.org/bot${token}/getMe failed`) }, "telegram failed");
    logger.info({ token, config: { TELEGRAM_BOT_TOKEN: token } }, `starting with ${token}`);
    const httpError = Object.assign(new Error("Request failed with status code 500"), {
      config: { url: "https://openapi.zalo.me/v3.0/oa/message/cs", headers: { access_token: "zalo-secret-access-token" } },
      response: { status: 500, headers: { "set-cookie": "x" } },
    });
    logger.error({ err: httpError }, "zalo failed");
    logger.info({ pair: { accessToken: "zalo-secret-access-token", refreshToken: "zalo-secret-refresh" } }, "refreshed");
    const text = out.join("");
    expect(text).toContain("telegram failed");
    expect(text).toContain("Request failed with status code 500");
    expect(text).not.toContain("zalo-secret");
    expect(text).not.toContain("TESTtokenForTheRedactionCheck0042");
  });
});
