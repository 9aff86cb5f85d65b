import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.js";
import { SqliteConversationStore } from "../src/db/conversation-store.js";
import { createLogger } from "../src/infra/logger.js";
import { startRetentionJob } from "../src/infra/retention.js";
import { FakeClock } from "./support/test-app.js";

const DAY = 86_400_000;

describe("conversation log retention", () => {
  it("deletes logs older than LOG_RETENTION_DAYS and keeps newer ones", () => {
    const database = openDatabase(":memory:");
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
