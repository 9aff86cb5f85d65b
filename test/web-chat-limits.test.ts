import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { webAddressOf } from "../src/db/web-sessions.js";
import { chat, FakeClock, postChat, startTestApp, webSession, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const DAY = 86_400_000;
const started: RunningApp[] = [];

async function start(env: Record<string, string>, clock?: FakeClock, dbPath?: string): Promise<RunningApp> {
  const running = await startTestApp(env, clock, dbPath);
  started.push(running);
  return running;
}

afterEach(async () => {
  for (const running of started.splice(0)) await running.stop();
});

async function newSession(url: string, headers: Record<string, string> = {}): Promise<{ status: number; user?: string; error?: string; retryAfter: string | null }> {
  const res = await fetch(`${url}/api/chat/session`, { method: "POST", headers });
  const body = (await res.json()) as { user?: string; error?: string };
  return { status: res.status, ...body, retryAfter: res.headers.get("retry-after") };
}

describe("web chat limits per IP address", () => {
  it("stops one client rotating identities: new sessions and messages per IP answer 429 with a clear error", async () => {
    const running = await start({ CHAT_RATE_PER_IP_PER_MINUTE: "10", CHAT_SESSIONS_PER_IP_PER_HOUR: "4" });
    const users: string[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await newSession(running.url);
      expect(s.status).toBe(201);
      users.push(s.user ?? "");
    }
    const fifth = await newSession(running.url);
    expect(fifth.status).toBe(429);
    expect(fifth.error).toMatch(/too many new chat sessions from this network: at most 4 an hour per IP address/);
    expect(Number(fifth.retryAfter)).toBeGreaterThan(60);

    // Rotating the four identities (each far below its own 30 a minute) and made-up ones: 10 a minute in all.
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await postChat(running.url, users[i % 4] ?? "", "xin chào")).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 200]);
    const limited = await postChat(running.url, users[0] ?? "", "xin chào");
    expect(limited.status).toBe(429);
    expect(limited.error).toMatch(/too many messages from this network: at most 10 a minute per IP address/);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect((await postChat(running.url, `made-up-${Date.now()}`, "xin chào")).status).toBe(429);

    running.clock.advance(61_000);
    expect((await postChat(running.url, users[1] ?? "", "xin chào")).status).toBe(200);
    running.clock.advance(3_600_000);
    expect((await newSession(running.url)).status).toBe(201);
  });

  it("counts wrong identities too, so guessing from one address is bounded", async () => {
    const running = await start({ CHAT_RATE_PER_IP_PER_MINUTE: "5" });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await postChat(running.url, `guess-${i}`, "/link 123456")).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it("ignores X-Forwarded-For without TRUST_PROXY: a client cannot pick its own address", async () => {
    const running = await start({ CHAT_SESSIONS_PER_IP_PER_HOUR: "2" });
    const statuses: number[] = [];
    for (const ip of ["203.0.113.5", "203.0.113.6", "203.0.113.7"]) {
      statuses.push((await newSession(running.url, { "x-forwarded-for": ip })).status);
    }
    expect(statuses).toEqual([201, 201, 429]);
  });

  it("honours X-Forwarded-For from a trusted proxy (TRUST_PROXY=1): each client behind it has its own budget", async () => {
    const running = await start({ CHAT_SESSIONS_PER_IP_PER_HOUR: "2", TRUST_PROXY: "1" });
    const from = async (xff: string) => (await newSession(running.url, { "x-forwarded-for": xff })).status;
    expect([await from("203.0.113.5"), await from("203.0.113.5"), await from("203.0.113.5")]).toEqual([201, 201, 429]);
    expect(await from("203.0.113.6")).toBe(201);
    // Only the hop the proxy added counts; an address the client wrote in front of it does not.
    expect(await from("198.51.100.1, 203.0.113.5")).toBe(429);
  });
});

describe("unanswered questions", () => {
  it("count each person once: one user asking 50 times stays below a question three people asked", async () => {
    const running = await start({ CHAT_RATE_PER_MINUTE: "100" });
    for (let i = 0; i < 50; i++) expect((await chat(running.url, "flooder", "giá vàng SJC hôm nay bao nhiêu")).status).toBe(200);
    for (const parent of ["a", "b", "c"]) await chat(running.url, parent, "xổ số miền bắc hôm nay");
    const top = running.app.store.topUnanswered(5);
    expect(top.map((r) => [r.text, r.count])).toEqual([
      ["xo so mien bac hom nay", 3],
      ["gia vang sjc hom nay bao nhieu", 1],
    ]);
  });
});

describe("idle anonymous web users", () => {
  it("are deleted with their address and logs after CHAT_IDLE_DAYS (30); active ones stay", async () => {
    const clock = new FakeClock(new Date("2026-01-13T01:00:00Z"));
    const first = await startTestApp({}, clock);
    const dbPath = first.dbPath;
    try {
      const idle = await webSession(first.url, "idle");
      const active = await webSession(first.url, "active");
      expect((await chat(first.url, "idle", "chuyen truong cap 3 can gi")).status).toBe(200);
      expect((await chat(first.url, "active", "xin chào")).status).toBe(200);
      await first.stop({ keepData: true });

      clock.advance(20 * DAY);
      const second = await startTestApp({}, clock, dbPath);
      expect((await postChat(second.url, active, "xin chào")).status).toBe(200);
      await second.stop();

      // Day 31: the idle user was last seen 31 days ago, the active one 11; the retention job runs at start.
      clock.advance(11 * DAY);
      const third = await startTestApp({}, clock, dbPath);
      expect((await postChat(third.url, idle, "xin chào")).status).toBe(401);
      expect((await postChat(third.url, active, "xin chào")).status).toBe(200);
      await third.stop();

      const conn = connectTestDatabase(dbPath, { readonly: true });
      const addresses = conn.prepare("SELECT count(*) AS n FROM channel_addresses WHERE address = ?");
      const idleLeft = (addresses.get(webAddressOf(idle)) as { n: number }).n;
      const activeLeft = (addresses.get(webAddressOf(active)) as { n: number }).n;
      const idleLogs = (conn.prepare("SELECT count(*) AS n FROM conversation_log WHERE text = 'chuyen truong cap 3 can gi'").get() as { n: number }).n;
      conn.close();
      expect(idleLeft).toBe(0);
      expect(activeLeft).toBe(1);
      expect(idleLogs).toBe(0);
    } finally {
      rmSync(dirname(dbPath), { recursive: true, force: true });
    }
  });
});
