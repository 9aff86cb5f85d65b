import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../src/app.js";
import { parseConfig } from "../src/config.js";
import { createLogger } from "../src/infra/logger.js";
import { startTestApp, type RunningApp } from "./support/test-app.js";
import { databaseEnv } from "./support/engine.js";

const METRICS_TOKEN = "metrics-token-0123456789";

describe("HTTP hygiene", () => {
  let app: App;
  let url: string;
  let dir: string;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "sogd-hygiene-"));
    const config = parseConfig({ PORT: "0", ...databaseEnv(join(dir, "bot.db")), QUIET_HOURS: "", METRICS_TOKEN });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n")) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    app = await createApp({ config, logger: createLogger("info", sink), dispatcherIdleMs: 30 });
    const { port } = await app.start();
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends security headers on every route, and keeps the pages' own strict CSP", async () => {
    for (const path of ["/healthz", "/api/openapi.json", "/no-such-page", "/", "/admin"]) {
      const res = await fetch(`${url}${path}`);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-powered-by"), path).toBeNull();
    }
    // The chat page and the console still load their script from 'self' under their own policy.
    for (const path of ["/", "/admin"]) {
      const csp = (await fetch(`${url}${path}`)).headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'none'");
    }
    expect((await fetch(`${url}/healthz`)).headers.get("content-security-policy")).not.toContain("script-src");
  });

  it("marks the chat and admin APIs no-store, answers included and refusals too", async () => {
    const session = (await (await fetch(`${url}/api/chat/session`, { method: "POST" })).json()) as { user: string };
    const chat = await fetch(`${url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: session.user, text: "xin chào" }),
    });
    expect(chat.status).toBe(200);
    expect(chat.headers.get("cache-control")).toBe("no-store");
    const admin = await fetch(`${url}/api/admin/broadcasts`);
    expect(admin.status).toBe(401);
    expect(admin.headers.get("cache-control")).toBe("no-store");
  });

  it("serves /metrics only with METRICS_TOKEN", async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    const ok = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("bot_updates_total");
  });

  it("logs a failed admin login with the caller's address, never the token", async () => {
    const guess = "sgd_guessed-token-abcdefghijklmnop";
    logLines.length = 0;
    await fetch(`${url}/api/admin/broadcasts?x=1`, { headers: { authorization: `Bearer ${guess}` } });
    const line = logLines.find((l) => l.msg === "admin authentication failed");
    expect(line).toMatchObject({ ip: "127.0.0.1", path: "/api/admin/broadcasts", tokenGiven: true });
    expect(JSON.stringify(logLines)).not.toContain(guess);
  });
});

describe("/metrics without METRICS_TOKEN", () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startTestApp();
  });
  afterAll(async () => {
    await running.stop();
  });

  it("answers a direct request on this host, and refuses one that came through a proxy", async () => {
    expect((await fetch(`${running.url}/metrics`)).status).toBe(200);
    const proxied = await fetch(`${running.url}/metrics`, { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(proxied.status).toBe(403);
  });
});
