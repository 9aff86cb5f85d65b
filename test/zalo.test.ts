import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Linking } from "../src/registry/linking.js";
import { importPeople } from "../src/registry/people-import.js";
import { importUnits } from "../src/registry/units-import.js";
import { dbWithEverySchoolYear } from "./support/every-school-tasks.js";
import { startFakeTelegram, type FakeTelegram } from "./support/fake-telegram.js";
import { startFakeZalo, type FakeZalo } from "./support/fake-zalo.js";
import { FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const FIXTURES = join(import.meta.dirname, "fixtures");

describe("Zalo OA through the whole product", () => {
  let zalo: FakeZalo;
  let telegram: FakeTelegram;
  let running: RunningApp;
  let clock: FakeClock;
  let webhook: string;
  let admin: string;

  beforeAll(async () => {
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z")); // Monday 10:00 in Vietnam
    zalo = await startFakeZalo({ now: () => clock.now().getTime() });
    telegram = await startFakeTelegram();
    const tokens = zalo.issueTokens();
    running = await startTestApp(
      {
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        ...zalo.productEnv(tokens),
        ZALO_SITE_VERIFICATION: "zalo_verifierGkRa5O6GTXL3ukCJdz5WJa_upMgZZXipCp0u.html",
      },
      clock,
      // The sample IT leads work at THCS schools: the Department has chosen to send them the IT reports too.
      dbWithEverySchoolYear("2025-2026", clock.now()),
    );
    webhook = `${running.url}/webhooks/zalo`;
    admin = running.app.tokens.create({ name: "admin", role: "department_admin" }, "test", clock.now()).token;
    const now = clock.now();
    importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now });
    importPeople(running.app.database, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), { dryRun: false, now });
  });

  afterAll(async () => {
    await running.stop();
    await telegram.stop();
    await zalo.stop();
  });

  it("answers a signed question in plain text with buttons, in Vietnamese", async () => {
    const res = await zalo.postEvent(webhook, zalo.textEvent("zu1", "chuyen truong cap 3 can gi", "m1"));
    expect(res.status).toBe(200);
    const reply = await zalo.waitForSent((m) => m.userId === "zu1", 8000);
    expect(reply.text).toContain("Chuyển trường đối với học sinh trung học phổ thông");
    expect(reply.text).not.toMatch(/<\/?b>/);
    expect(reply.buttons.length).toBeGreaterThan(0);
  });

  it("refuses a wrong or missing signature with 401 and sends nothing", async () => {
    const bad = await zalo.postEvent(webhook, zalo.textEvent("zu2", "xin chào", "m2"), { badSignature: true });
    const none = await zalo.postEvent(webhook, zalo.textEvent("zu2", "xin chào", "m3"), { omitSignature: true });
    expect(bad.status).toBe(401);
    expect(none.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(zalo.sentTo("zu2")).toHaveLength(0);
  });

  it("answers the same msg_id once, however often Zalo retries it", async () => {
    const event = zalo.textEvent("zu3", "tra cứu điểm thi ở đâu", "dup-1");
    for (let i = 0; i < 3; i++) expect((await zalo.postEvent(webhook, event)).status).toBe(200);
    await zalo.waitForSent((m) => m.userId === "zu3", 8000);
    await new Promise((r) => setTimeout(r, 400));
    expect(zalo.sentTo("zu3")).toHaveLength(1);
  });

  it("reaches Zalo subscribers with a broadcast through the same pipeline", async () => {
    await zalo.postEvent(webhook, zalo.textEvent("zu4", "/subscribe", "m4"));
    await zalo.waitForSent((m) => m.userId === "zu4", 8000);
    const res = await fetch(`${running.url}/api/admin/broadcasts`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
      body: JSON.stringify({ title: "Thông báo Zalo", text: { vi: "Lịch **họp** phụ huynh <thứ 7>" }, audience: { channels: ["zalo"] } }),
    });
    expect(res.status).toBe(201);
    const message = await zalo.waitForSent((m) => m.userId === "zu4" && m.text.includes("Thông báo Zalo"), 8000);
    expect(message.text).toContain("Lịch họp phụ huynh <thứ 7>");
  });

  it("binds Telegram and Zalo to one person (Zalo joins with a code from the Telegram chat); a reminder goes to the channel used last, and to the other when Zalo's window has closed", async () => {
    const linking = new Linking(running.app.database.db);
    telegram.pushUpdate(telegram.textUpdate(6100, `/link ${linking.issue("CB0013", "test", clock.now()).code}`));
    await telegram.waitForSent((m) => m.chatId === 6100 && m.visibleText.includes("Đã liên kết"), 8000);
    clock.advance(60_000);
    // The second chat joins with a code asked for from the linked one (a staff code would be refused).
    telegram.pushUpdate(telegram.textUpdate(6100, "/link"));
    const offer = await telegram.waitForSent((m) => m.chatId === 6100 && m.visibleText.includes("Mã thêm cuộc trò chuyện"), 8000);
    const joinCode = /: ([A-Z2-9]{8}) /.exec(offer.visibleText)?.[1] ?? "";
    await zalo.postEvent(webhook, zalo.textEvent("zlead", `/link ${joinCode}`, "m5"));
    const linked = await zalo.waitForSent((m) => m.userId === "zlead", 8000);
    expect(linked.text).toContain("Ngô Thị Bích Ngọc");
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const owners = conn
      .prepare("SELECT count(DISTINCT user_id) AS n FROM channel_addresses WHERE address IN ('6100', 'zlead')")
      .get() as { n: number };
    conn.close();
    expect(owners.n).toBe(1);

    // 13 January 08:00: Zalo was used last, so the reminder goes there.
    clock.set(new Date("2026-01-13T01:00:00Z"));
    running.app.planner.plan(clock.now());
    const onZalo = await zalo.waitForSent((m) => m.userId === "zlead" && m.text.includes("Báo cáo giữa năm"), 8000);
    expect(onZalo.text).toContain("còn 7 ngày");
    expect(onZalo.buttons.map((b) => b.title)).toEqual(["Đã hoàn thành", "Nhắc lại ngày mai", "Cần hỗ trợ"]);

    // Ten days without a message to the OA: the window has closed; the next step reaches Telegram instead.
    clock.set(new Date("2026-01-22T01:00:00Z"));
    running.app.planner.plan(clock.now());
    const onTelegram = await telegram.waitForSent((m) => m.chatId === 6100 && m.visibleText.includes("đã trễ 2 ngày"), 8000);
    expect(onTelegram.visibleText).toContain("Trường THCS Huỳnh Khương Ninh");
    expect(zalo.sentTo("zlead").some((m) => m.text.includes("đã trễ 2 ngày"))).toBe(false);
    const db = connectTestDatabase(running.dbPath, { readonly: true });
    const skipped = db.prepare("SELECT count(*) AS n FROM outbox WHERE channel = 'zalo' AND reason = 'outside_zalo_window'").get() as { n: number };
    db.close();
    expect(skipped.n).toBeGreaterThanOrEqual(1);
  });

  it("marks done from a Zalo reminder button (the payload comes back as text)", async () => {
    const reminder = zalo.sentTo("zlead").find((m) => m.text.includes("còn 7 ngày"));
    const done = String(reminder?.buttons[0]?.payload ?? "");
    expect(done).toMatch(/^#done:\d+:\d+$/);
    await zalo.postEvent(webhook, zalo.textEvent("zlead", done, "m6"));
    const thanks = await zalo.waitForSent((m) => m.userId === "zlead" && m.text.includes("Cảm ơn"), 8000);
    expect(thanks.text).toContain("đã hoàn thành");
  });

  it("answers pictures and stickers politely with text only, and unsubscribes on unfollow", async () => {
    await zalo.postEvent(webhook, zalo.mediaEvent("zu7", "user_send_sticker", "m9"));
    const reply = await zalo.waitForSent((m) => m.userId === "zu7", 8000);
    expect(reply.text).toMatch(/chỉ đọc được tin nhắn văn bản/);
    await zalo.postEvent(webhook, zalo.unfollowEvent("zu4"));
    await new Promise((r) => setTimeout(r, 300));
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const row = conn
      .prepare("SELECT u.subscribed AS s FROM users u JOIN channel_addresses a ON a.user_id = u.id WHERE a.channel = 'zalo' AND a.address = 'zu4'")
      .get() as { s: number };
    conn.close();
    expect(row.s).toBe(0);
  });

  it("welcomes a follower with one message (four topics and the whole menu behind the fifth, not echoed)", async () => {
    await zalo.postEvent(webhook, zalo.followEvent("zu8"));
    const welcome = await zalo.waitForSent((m) => m.userId === "zu8", 8000);
    await new Promise((r) => setTimeout(r, 400));
    expect(zalo.sentTo("zu8")).toHaveLength(1);
    expect(welcome.buttons).toHaveLength(5);
    expect(welcome.buttons.every((b) => b.type === "oa.query.hide")).toBe(true);
    expect(welcome.buttons.at(-1)).toMatchObject({ title: "Danh mục chủ đề", payload: "#menu" });
    await zalo.postEvent(webhook, zalo.textEvent("zu8", "#menu", "m10"));
    const menu = await zalo.waitForSent((m) => m.userId === "zu8" && m.text.includes("chủ đề nào"), 8000);
    expect(menu.buttons.length).toBeGreaterThan(0);
  });

  it("answers the question typed with a link as that question", async () => {
    await zalo.postEvent(webhook, zalo.linkEvent("zu9", "chuyen truong cap 3 can gi", "https://dichvucong.gov.vn/p", "m11"));
    const reply = await zalo.waitForSent((m) => m.userId === "zu9", 8000);
    expect(reply.text).toContain("Chuyển trường đối với học sinh trung học phổ thông");
  });

  it("serves Zalo's domain verification file from ZALO_SITE_VERIFICATION", async () => {
    const res = await fetch(`${running.url}/zalo_verifierGkRa5O6GTXL3ukCJdz5WJa_upMgZZXipCp0u.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toContain('<meta name="zalo-platform-site-verification" content="GkRa5O6GTXL3ukCJdz5WJa_upMgZZXipCp0u" />');
    expect((await fetch(`${running.url}/zalo_verifierSomethingElse123.html`)).status).toBe(404);
  });

  it("refreshes an expired access token once and retries, and a failed refresh shows on /healthz", async () => {
    zalo.expireAccessTokens();
    const before = zalo.counters.refreshes;
    await zalo.postEvent(webhook, zalo.textEvent("zu5", "xin chào", "m7"));
    await zalo.waitForSent((m) => m.userId === "zu5", 8000);
    expect(zalo.counters.refreshes - before).toBe(1);
    expect(await (await fetch(`${running.url}/healthz`)).json()).toEqual({ status: "ok" });

    zalo.expireAccessTokens();
    zalo.revokeRefreshTokens();
    await zalo.postEvent(webhook, zalo.textEvent("zu6", "xin chào", "m8"));
    const deadline = Date.now() + 5000;
    let health: { status: string } = { status: "ok" };
    while (Date.now() < deadline && health.status === "ok") {
      await new Promise((r) => setTimeout(r, 100));
      health = (await (await fetch(`${running.url}/healthz`)).json()) as { status: string };
    }
    expect(health.status).toBe("degraded");
  });

});
