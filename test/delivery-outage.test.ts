import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeTelegram, type FakeTelegram } from "./support/fake-telegram.js";
import { FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

// 10:00 in Vietnam, a Tuesday.
const START = new Date("2026-01-13T03:00:00Z");
const CHATS = [401, 402, 403, 404, 405];

describe("a network outage during a broadcast", () => {
  let fake: FakeTelegram;
  let running: RunningApp;
  let clock: FakeClock;
  let admin: string;

  beforeAll(async () => {
    fake = await startFakeTelegram();
    clock = new FakeClock(START);
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, TELEGRAM_RATE_PER_SEC: "20" }, clock);
    admin = running.app.tokens.create({ name: "admin", role: "department_admin" }, "test", START).token;
    for (const chatId of CHATS) fake.pushUpdate(fake.textUpdate(chatId, "/subscribe"));
    await fake.waitForSent(CHATS.length, 10_000);
  });
  afterAll(async () => {
    await running.stop();
    await fake.stop();
  });

  const outbox = () => {
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const rows = conn.prepare("SELECT status, attempts FROM outbox WHERE cause_type = 'broadcast'").all() as { status: string; attempts: number }[];
    const attempts = conn.prepare("SELECT description FROM delivery_attempts").all() as { description: string | null }[];
    conn.close();
    return { rows, attempts };
  };

  /** Moves the clock on in steps while real time passes, so queued retries come due. */
  const advance = async (totalMs: number, stepMs: number, until?: () => boolean) => {
    for (let passed = 0; passed < totalMs && !until?.(); passed += stepMs) {
      clock.advance(stepMs);
      await new Promise((r) => setTimeout(r, 55));
    }
  };

  it("keeps retrying through a 3-minute outage and delivers every message once Telegram is back", async () => {
    fake.setOffline(true);
    const res = await fetch(`${running.url}/api/admin/broadcasts`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
      body: JSON.stringify({ title: "Mất mạng", text: { vi: "Thông báo trong lúc mất mạng" } }),
    });
    expect(res.status).toBe(201);

    // About 10 s of real time: sends to one chat are at least a second apart, whatever the clock says.
    await advance(3 * 60_000, 1_000);
    const during = outbox();
    expect(during.rows.filter((r) => r.status === "failed")).toEqual([]);
    // Well past the old budget of 5 attempts in about 7.5 s.
    expect(Math.max(...during.rows.map((r) => r.attempts))).toBeGreaterThan(5);
    // The failed requests' descriptions never carry the bot token.
    expect(during.attempts.length).toBeGreaterThan(0);
    for (const a of during.attempts) expect(a.description ?? "").not.toContain(fake.token.split(":")[1] as string);

    fake.setOffline(false);
    const delivered = () => fake.sent.filter((m) => m.visibleText.includes("Thông báo trong lúc mất mạng")).length === CHATS.length;
    await advance(10 * 60_000, 5_000, delivered);
    await fake.waitForSent((m) => m.chatId === CHATS[CHATS.length - 1] && m.visibleText.includes("mất mạng"), 5000);
    expect(fake.sent.filter((m) => m.visibleText.includes("Thông báo trong lúc mất mạng")).map((m) => m.chatId).sort()).toEqual(CHATS);
    const after = outbox();
    expect(after.rows.every((r) => r.status === "sent")).toBe(true);
  });

  it("gives up at the delivery deadline, not before", async () => {
    fake.setOffline(true);
    const res = await fetch(`${running.url}/api/admin/broadcasts`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
      body: JSON.stringify({ title: "Quá hạn", text: { vi: "Thông báo quá hạn" } }),
    });
    const { id } = (await res.json()) as { id: number };
    const status = async () =>
      ((await (await fetch(`${running.url}/api/admin/broadcasts/${id}`, { headers: { authorization: `Bearer ${admin}` } })).json()) as {
        status: string;
        counts: { failed: number };
      });
    await advance(50 * 60_000, 30_000);
    expect((await status()).counts.failed).toBe(0);
    let done = false;
    await advance(30 * 60_000, 30_000, () => done);
    for (let i = 0; i < 50 && !done; i++) {
      clock.advance(30_000);
      await new Promise((r) => setTimeout(r, 100));
      done = (await status()).status === "done";
    }
    const final = await status();
    expect(final.status).toBe("done");
    expect(final.counts.failed).toBe(CHATS.length);
    fake.setOffline(false);
  });
});
