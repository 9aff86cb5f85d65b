import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, type App } from "../../src/app.js";
import { parseConfig } from "../../src/config.js";
import { createLogger } from "../../src/infra/logger.js";
import { databaseEnv } from "./engine.js";

/**
 * A clock that starts at a chosen instant and runs at real speed, so waits such as retry_after still pass;
 * the test jumps it forward by hand to reach schedules, quiet hours or rate-limit windows.
 */
export class FakeClock {
  private base: number;
  private readonly startedAt = performance.now();

  constructor(start: Date) {
    this.base = start.getTime();
  }
  now(): Date {
    return new Date(this.base + (performance.now() - this.startedAt));
  }
  advance(ms: number): void {
    this.base += ms;
  }
  set(date: Date): void {
    this.base = date.getTime() - (performance.now() - this.startedAt);
  }
}

export interface RunningApp {
  app: App;
  url: string;
  clock: FakeClock;
  dbPath: string;
  /** stops the app; its database folder is removed unless `keepData` (a restart test reopens it) */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/** Starts the real product on a random port with a fresh SQLite file migrated by the committed migrations. */
export async function startTestApp(
  env: Record<string, string> = {},
  start: Date | FakeClock = new Date("2026-01-13T01:00:00Z"),
  reuseDbPath?: string,
  options: { sleep?: (ms: number) => Promise<void>; logger?: ReturnType<typeof createLogger> } = {},
): Promise<RunningApp> {
  const dir = mkdtempSync(join(tmpdir(), "sogd-test-"));
  const dbPath = reuseDbPath ?? join(dir, "bot.db");
  const config = parseConfig({ PORT: "0", ...databaseEnv(dbPath), LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent", QUIET_HOURS: "", ...env });
  const clock = start instanceof FakeClock ? start : new FakeClock(start);
  const app = await createApp({
    config,
    clock,
    logger: options.logger ?? createLogger(config.LOG_LEVEL),
    sleep: options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    dispatcherIdleMs: 30,
  });
  const { port } = await app.start();
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    clock,
    dbPath,
    async stop(options) {
      await app.stop();
      if (!reuseDbPath && !options?.keepData) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ChatReply {
  text: string;
  buttons: { label: string; payload: string }[];
}

const sessions = new Map<string, string>();

/** A server-issued web chat identity (POST /api/chat/session), one per test label and app, as the page keeps it. */
export async function webSession(url: string, label: string): Promise<string> {
  const key = `${url} ${label}`;
  const known = sessions.get(key);
  if (known) return known;
  const res = await fetch(`${url}/api/chat/session`, { method: "POST" });
  const body = (await res.json()) as { user?: string; error?: string };
  if (res.status !== 201 || !body.user) throw new Error(`no web chat session: ${res.status} ${body.error ?? ""}`);
  sessions.set(key, body.user);
  return body.user;
}

/** Talks as the test label's web chat identity (obtained on first use). */
export async function chat(url: string, label: string, text: string): Promise<{ status: number; replies: ChatReply[]; error?: string }> {
  return postChat(url, await webSession(url, label), text);
}

/** POST /api/chat with exactly this `user` value; `headers` for X-Forwarded-For. */
export async function postChat(
  url: string,
  user: string,
  text: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; replies: ChatReply[]; error?: string; retryAfter?: string }> {
  const res = await fetch(`${url}/api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ user, text }),
  });
  const body = (await res.json()) as { replies?: ChatReply[]; error?: string };
  const retryAfter = res.headers.get("retry-after");
  return {
    status: res.status,
    replies: body.replies ?? [],
    ...(body.error ? { error: body.error } : {}),
    ...(retryAfter ? { retryAfter } : {}),
  };
}

/** An admin API call with a bearer token; a JSON answer is parsed, anything else comes back as `{text}`. */
export async function adminCall(
  url: string,
  method: string,
  path: string,
  token: string,
  body?: string | object,
  type = "application/json",
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": type },
    ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (/^[[{]/.test(text) ? JSON.parse(text) : { text }) as Record<string, unknown> };
}
