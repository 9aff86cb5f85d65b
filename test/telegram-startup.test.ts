import { afterEach, describe, expect, it } from "vitest";
import { startFakeTelegram, type FakeTelegram } from "./support/fake-telegram.js";
import { chat, startTestApp, type RunningApp } from "./support/test-app.js";

interface Health {
  status: string;
  channels?: Record<string, string>;
}

async function health(running: RunningApp): Promise<Health> {
  return (await (await fetch(`${running.url}/healthz`)).json()) as Health;
}

async function waitForHealth(running: RunningApp, predicate: (h: Health) => boolean, timeoutMs: number): Promise<Health> {
  const deadline = Date.now() + timeoutMs;
  let last = await health(running);
  while (!predicate(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await health(running);
  }
  return last;
}

describe("Telegram start-up never takes the service down", () => {
  let fake: FakeTelegram | undefined;
  let running: RunningApp | undefined;

  afterEach(async () => {
    await running?.stop();
    await fake?.stop();
    running = undefined;
    fake = undefined;
  });

  it("serves the web chat while setMyCommands answers 429, says telegram is degraded, and recovers after retry_after", async () => {
    fake = await startFakeTelegram();
    fake.failNext("setMyCommands", { status: 429, retryAfter: 2 });
    const started = Date.now();
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });

    const reply = await chat(running.url, "parent-startup", "xin chào");
    expect(reply.status).toBe(200);
    expect(reply.replies.length).toBeGreaterThan(0);
    const during = await health(running);
    expect(during.status).toBe("degraded");
    expect(during.channels?.telegram).toMatch(/^degraded: setMyCommands failed \(Too Many Requests: retry after 2\)/);

    const after = await waitForHealth(running, (h) => h.status === "ok", 6000);
    expect(after).toEqual({ status: "ok" });
    const calls = fake.requests.filter((r) => r.method === "setMyCommands");
    // Asked again no sooner than retry_after said.
    expect((calls[1]?.time ?? 0) - (calls[0]?.time ?? 0)).toBeGreaterThanOrEqual(1950);
    expect(fake.commands.map((c) => c.languageCode).sort()).toEqual(["", "en", "vi"]);
    expect(Date.now() - started).toBeLessThan(10_000);

    // Updates flowed all along: a Telegram message is answered.
    fake.pushUpdate(fake.textUpdate(7001, "xin chào"));
    await fake.waitForSent((m) => m.chatId === 7001, 8000);
  });

  it("runs without a command menu on a Bot API server that lacks setMyCommands", async () => {
    fake = await startFakeTelegram({ missingMethods: ["setMyCommands"] });
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });
    expect(await waitForHealth(running, (h) => h.status === "ok", 3000)).toEqual({ status: "ok" });
    fake.pushUpdate(fake.textUpdate(7002, "xin chào"));
    await fake.waitForSent((m) => m.chatId === 7002, 8000);
  });

  it("keeps serving while Telegram is unreachable at start, then connects when it comes back", async () => {
    fake = await startFakeTelegram();
    fake.setOffline(true);
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });
    expect((await chat(running.url, "parent-offline", "xin chào")).status).toBe(200);
    const during = await health(running);
    expect(during.channels?.telegram).toMatch(/^degraded: getMe failed \(network error\)/);
    expect(JSON.stringify(during)).not.toContain(fake.token);
    fake.setOffline(false);
    expect(await waitForHealth(running, (h) => h.status === "ok", 8000)).toEqual({ status: "ok" });
  });
});
