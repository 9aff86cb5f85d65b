import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postChat, startTestApp, webSession, type RunningApp } from "./support/test-app.js";

// Issue 12: rate limits live in the database, so a client cannot get twice the limit by being spread over
// two instances behind a load balancer.
describe("per-address limits shared by every instance on one database", () => {
  let first: RunningApp;
  let second: RunningApp;
  const env = { CHAT_RATE_PER_IP_PER_MINUTE: "4", CHAT_RATE_PER_MINUTE: "100" };

  beforeAll(async () => {
    first = await startTestApp(env, new Date());
    second = await startTestApp(env, new Date(), first.dbPath);
  });
  afterAll(async () => {
    await second?.stop();
    await first?.stop();
  });

  it("counts a client's messages on both instances against one limit", async () => {
    const user = await webSession(first.url, "shared-limit"); // identities are in the database too: valid on both
    const statuses: number[] = [];
    for (const app of [first, second, first, second, first, second]) statuses.push((await postChat(app.url, user, "xin chào")).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const refused = await postChat(second.url, user, "xin chào");
    expect(refused.retryAfter).toMatch(/^\d+$/);
  });

  it("counts one chat session's messages on both instances against its per-minute limit", async () => {
    const third = await startTestApp({ CHAT_RATE_PER_MINUTE: "3" }, new Date(), first.dbPath);
    const fourth = await startTestApp({ CHAT_RATE_PER_MINUTE: "3" }, new Date(), first.dbPath);
    try {
      const user = await webSession(third.url, "session-limit");
      const statuses: number[] = [];
      for (const app of [third, fourth, third, fourth]) statuses.push((await postChat(app.url, user, "xin chào")).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await fourth.stop();
      await third.stop();
    }
  });

  it("counts sign-in attempts on both instances against one limit", async () => {
    const attempt = (app: RunningApp) =>
      fetch(`${app.url}/api/admin/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ login: "nobody", password: "wrong password" }) }).then((r) => r.status);
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push(await attempt(i % 2 === 0 ? first : second));
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  }, 60_000);
});
