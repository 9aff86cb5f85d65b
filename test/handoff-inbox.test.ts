import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importUnits } from "../src/registry/units-import.js";
import { describeInBrowser, launchChromium } from "./support/browser.js";
import { startFakeTelegram, type FakeTelegram, type SentMessage } from "./support/fake-telegram.js";
import { adminCall, postChat, startTestApp, webSession, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const STAFF_CHAT = -100777888;
const FIXTURES = join(import.meta.dirname, "fixtures");

interface Shown {
  direction: string;
  author: string;
  text: string | null;
  delivery?: string | null;
}
interface Handoff {
  id: number;
  status: string;
  channel: string;
  locale: string;
  waitingSeconds: number | null;
  answeredAt: string | null;
  lastMessages: Shown[];
  messages?: Shown[];
  context?: Shown[];
}

describe("the hand-off inbox (Hỗ trợ): one thread per request, answered from the console or the staff chat", () => {
  let fake: FakeTelegram;
  let running: RunningApp;
  let admin: string;
  let office: string;
  let viewer: string;

  const call = (method: string, path: string, token: string, body?: string | object, type?: string) =>
    adminCall(running.url, method, path, token, body, type);
  const thread = async (id: number, token = admin) => (await call("GET", `/api/admin/handoffs/${id}`, token)).body as unknown as Handoff;
  const openList = async (token = admin) => ((await call("GET", "/api/admin/handoffs?status=open", token)).body.handoffs ?? []) as Handoff[];
  const latestHandoffId = (): number => {
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const row = conn.prepare("SELECT max(id) AS id FROM handoffs").get() as { id: number };
    conn.close();
    return row.id;
  };
  const pagePoll = async (user: string, after = 0) => {
    const res = await fetch(`${running.url}/api/chat/messages?user=${encodeURIComponent(user)}&after=${after}`);
    return { status: res.status, body: (await res.json()) as { messages: { id: number; text: string }[]; cursor: number; error?: string } };
  };
  const until = async <T>(read: () => Promise<T> | T, ok: (value: T) => boolean, ms = 8000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > end) return value;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const staffReply = (post: SentMessage, messageId: number, text: string) => {
    const now = Math.floor(Date.now() / 1000);
    const chat = { id: STAFF_CHAT, type: "supergroup" as const, title: "Hỗ trợ" };
    fake.pushUpdate({
      message: {
        message_id: messageId,
        date: now,
        chat,
        from: { id: 42, is_bot: false, first_name: "Chị", last_name: "Hoa" },
        text,
        reply_to_message: { message_id: post.messageId, date: now, chat, text: post.visibleText },
      },
    } as never);
  };

  beforeAll(async () => {
    fake = await startFakeTelegram({ username: "sogd_inbox_bot" });
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, STAFF_CHAT_ID: String(STAFF_CHAT) });
    const now = running.clock.now();
    expect(importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
    admin = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", now).token;
    office = running.app.tokens.create({ name: "PGD VT", role: "office_admin", unitCode: "PGD-VT" }, "test", now).token;
    viewer = running.app.tokens.create({ name: "Xem", role: "viewer" }, "test", now).token;
  });
  afterAll(async () => {
    await running.stop();
    await fake.stop();
  });

  describe("a web chat hand-off", () => {
    let user: string;
    let id: number;
    let post: SentMessage;

    beforeAll(async () => {
      user = await webSession(running.url, "inbox-web");
      // The parent follows a Vũng Tàu school (from before the web chat stopped offering /follow, which only
      // matters on Telegram and Zalo), so the Vũng Tàu office sees the request.
      expect((await postChat(running.url, user, "xin chào")).status).toBe(200);
      const conn = connectTestDatabase(running.dbPath);
      conn
        .prepare(
          `INSERT INTO user_units (user_id, unit_id, created_at)
           SELECT a.user_id, (SELECT id FROM units WHERE code = 'THCS-HKN-VT'), 0 FROM channel_addresses a
           WHERE a.channel = 'web' AND a.address = ?`,
        )
        .run(createHash("sha256").update(user, "utf8").digest("base64url"));
      conn.close();
      expect((await postChat(running.url, user, "Con tôi chưa có tài khoản VnEdu <lớp 6A>")).status).toBe(200);
      expect((await postChat(running.url, user, "cho tôi gặp cán bộ")).status).toBe(200);
      post = await fake.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("lớp 6A"), 8000);
      id = latestHandoffId();
    });

    it("is listed as open with its channel, language, last messages and how long the person has waited", async () => {
      running.clock.advance(10 * 60_000);
      const listed = (await openList()).find((h) => h.id === id);
      expect(listed).toMatchObject({ status: "open", channel: "web", locale: "vi", answeredAt: null });
      expect(listed?.waitingSeconds).toBeGreaterThanOrEqual(600);
      expect(listed?.lastMessages.some((m) => m.text?.includes("lớp 6A"))).toBe(true);
    });

    it("an answer from the console reaches the page through its API, once, and the thread shows it seen", async () => {
      expect((await pagePoll(user)).body).toEqual({ messages: [], cursor: 0 });
      const sent = await call("POST", `/api/admin/handoffs/${id}/replies`, admin, { text: "Dạ, trường sẽ cấp tài khoản trong tuần này ạ." });
      expect(sent.status).toBe(201);
      expect(sent.body.delivery).toBe("on_page");

      const first = await pagePoll(user);
      expect(first.body.messages.map((m) => m.text)).toEqual(["Dạ, trường sẽ cấp tài khoản trong tuần này ạ."]);
      expect((await pagePoll(user, first.body.cursor)).body.messages).toEqual([]);
      // Another browser (someone else's session) gets nothing of it.
      expect((await pagePoll(await webSession(running.url, "inbox-other"))).body.messages).toEqual([]);

      const shown = await thread(id);
      expect(shown.status).toBe("answered");
      expect(shown.answeredAt).not.toBeNull();
      expect(shown.messages?.at(-1)).toMatchObject({ direction: "out", delivery: "sent" });
      expect(shown.messages?.at(-1)?.author).toMatch(/Sở/);
      expect((await openList()).some((h) => h.id === id)).toBe(false);
    });

    it("the person's follow-up joins the thread and makes it wait again", async () => {
      expect((await postChat(running.url, user, "Dạ cảm ơn, còn tài khoản của con thứ hai thì sao ạ?")).status).toBe(200);
      const shown = await thread(id);
      expect(shown.status).toBe("open");
      expect(shown.messages?.at(-1)).toMatchObject({ direction: "in", author: "person", text: "Dạ cảm ơn, còn tài khoản của con thứ hai thì sao ạ?" });
      expect(shown.waitingSeconds).not.toBeNull();
    });

    it("a reply in the Telegram staff chat lands in the same thread and on the page", async () => {
      staffReply(post, 7101, "Con thứ hai anh/chị liên hệ giáo viên chủ nhiệm nhé.");
      const confirmation = await fake.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("trang web chat"), 8000);
      expect(confirmation.visibleText).toContain("Đã lưu câu trả lời");
      const shown = await thread(id);
      expect(shown.messages?.at(-1)).toMatchObject({ direction: "out", author: "telegram:Chị Hoa", text: "Con thứ hai anh/chị liên hệ giáo viên chủ nhiệm nhé." });
      expect((await pagePoll(user)).body.messages.map((m) => m.text)).toContain("Con thứ hai anh/chị liên hệ giáo viên chủ nhiệm nhé.");
    });

    it("the page's API refuses unknown identities like the chat API", async () => {
      const res = await pagePoll("made-up-identity");
      expect(res.status).toBe(401);
      expect((await fetch(`${running.url}/api/chat/messages?user=${encodeURIComponent(user)}&after=abc`)).status).toBe(400);
    });

    it("an office admin sees requests of people who follow one of its units; others are not found", async () => {
      expect((await call("GET", `/api/admin/handoffs/${id}`, office)).status).toBe(200);
      expect(((await call("GET", "/api/admin/handoffs", office)).body.handoffs as Handoff[]).some((h) => h.id === id)).toBe(true);
    });
  });

  describe("a Telegram hand-off", () => {
    const chatId = 880011;
    let id: number;
    let post: SentMessage;

    beforeAll(async () => {
      fake.pushUpdate(fake.textUpdate(chatId, "tôi muốn gặp nhân viên tư vấn về học bạ số"));
      post = await fake.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("học bạ số"), 8000);
      await fake.waitForSent((m) => m.chatId === chatId, 8000);
      id = await until(latestHandoffId, (v) => v > 0);
    });

    it("an answer from the console goes out to the person's Telegram chat through the outbox", async () => {
      const sent = await call("POST", `/api/admin/handoffs/${id}/replies`, admin, { text: "Dạ, học bạ số <sẽ có> từ tháng 3 & anh/chị xem trên VnEdu ạ." });
      expect(sent.status).toBe(201);
      expect(sent.body.delivery).toBe("queued");
      const got = await fake.waitForSent((m) => m.chatId === chatId && m.visibleText.includes("học bạ số <sẽ có>"), 8000);
      expect(got.visibleText).toContain("Cán bộ Sở GDĐT trả lời");
      const shown = await until(() => thread(id), (t) => t.messages?.at(-1)?.delivery === "sent");
      expect(shown.messages?.at(-1)).toMatchObject({ direction: "out", delivery: "sent" });
      expect(shown.status).toBe("answered");
    });

    it("a follow-up and a staff chat reply join the same thread", async () => {
      fake.pushUpdate(fake.textUpdate(chatId, "Vậy năm nay lớp 10 có học bạ số không ạ?"));
      await until(() => thread(id), (t) => t.messages?.some((m) => m.text?.includes("lớp 10")) ?? false);
      staffReply(post, 7202, "Dạ có, lớp 10 cũng dùng học bạ số ạ.");
      await fake.waitForSent((m) => m.chatId === chatId && m.visibleText.includes("lớp 10 cũng dùng"), 8000);
      await fake.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("Đã chuyển câu trả lời"), 8000);
      const shown = await until(() => thread(id), (t) => t.messages?.at(-1)?.delivery === "sent");
      expect(shown.messages?.map((m) => [m.direction, m.author])).toEqual([
        ["out", expect.stringMatching(/Sở/)],
        ["in", "person"],
        ["out", "telegram:Chị Hoa"],
      ]);
      expect(shown.status).toBe("answered");
    });

    it("is out of an office admin's scope (the person follows none of its units): 404 like an unknown one", async () => {
      const unknown = await call("GET", "/api/admin/handoffs/999999", office);
      expect(unknown.status).toBe(404);
      for (const [method, path, body] of [
        ["GET", `/api/admin/handoffs/${id}`, undefined],
        ["POST", `/api/admin/handoffs/${id}/replies`, { text: "thử" }],
        ["POST", `/api/admin/handoffs/${id}/close`, undefined],
      ] as const) {
        const res = await call(method, path, office, body);
        expect(res).toEqual({ status: 404, body: { ...unknown.body, error: `no hand-off ${id}` } });
      }
      expect(((await call("GET", "/api/admin/handoffs", office)).body.handoffs as Handoff[]).some((h) => h.id === id)).toBe(false);
      expect(((await call("GET", "/api/admin/handoffs", admin)).body.handoffs as Handoff[]).some((h) => h.id === id)).toBe(true);
    });

    it("closes: a closed thread takes no answer and no follow-up, a viewer cannot close, and it reopens", async () => {
      expect((await call("POST", `/api/admin/handoffs/${id}/close`, viewer)).status).toBe(403);
      expect((await call("POST", `/api/admin/handoffs/${id}/close`, admin)).body).toEqual({ id, status: "closed" });
      const refused = await call("POST", `/api/admin/handoffs/${id}/replies`, admin, { text: "thêm" });
      expect(refused).toMatchObject({ status: 409, body: { code: "handoff_closed" } });
      const before = (await thread(id)).messages?.length;
      fake.pushUpdate(fake.textUpdate(chatId, "cảm ơn cán bộ nhiều"));
      await fake.waitForSent((m) => m.chatId === chatId && !m.visibleText.includes("lớp 10"), 8000);
      await new Promise((r) => setTimeout(r, 200));
      expect((await thread(id)).messages?.length).toBe(before);
      expect((await call("POST", `/api/admin/handoffs/${id}/reopen`, admin)).body).toEqual({ id, status: "open" });
      const conn = connectTestDatabase(running.dbPath, { readonly: true });
      const actions = conn.prepare("SELECT action FROM audit_log WHERE target = ? ORDER BY id").all(`handoff:${id}`) as { action: string }[];
      conn.close();
      expect(actions.map((a) => a.action)).toEqual(["handoff.reply", "handoff.close", "handoff.reopen"]);
    });

    it("refuses an empty answer and an unknown status filter", async () => {
      expect(await call("POST", `/api/admin/handoffs/${id}/replies`, admin, { text: "  " })).toMatchObject({ status: 400, body: { code: "invalid", field: "text" } });
      expect(await call("GET", "/api/admin/handoffs?status=maybe", admin)).toMatchObject({ status: 400, body: { field: "status" } });
    });
  });

  it("metrics: hand-offs waiting and the time to first answer", async () => {
    const text = await (await fetch(`${running.url}/metrics`)).text();
    const waiting = Number(/^bot_handoffs_waiting (\d+)/m.exec(text)?.[1]);
    expect(waiting).toBe((await openList()).length);
    expect(waiting).toBeGreaterThan(0);
    expect(Number(/^bot_handoff_first_answer_seconds_count (\d+)/m.exec(text)?.[1])).toBe(2);
    // The web request waited 10 minutes (the clock was moved) before its first answer.
    expect(Number(/^bot_handoff_first_answer_seconds_bucket\{le="300"\} (\d+)/m.exec(text)?.[1])).toBe(1);

    // The console's inbox shows the same two figures at its top, within the caller's reach.
    const listed = await call("GET", "/api/admin/handoffs", admin);
    const stats = listed.body.stats as { waiting: number; medianFirstAnswerSeconds: number | null; answered: number; days: number };
    expect(stats.waiting).toBe(waiting);
    expect(stats.answered).toBe(2);
    const firstAnswers = (listed.body.handoffs as Handoff[])
      .filter((h) => h.answeredAt !== null)
      .map((h) => (Date.parse(h.answeredAt as string) - Date.parse((h as unknown as { createdAt: string }).createdAt)) / 1000)
      .sort((a, b) => a - b);
    expect(firstAnswers).toHaveLength(2);
    expect(firstAnswers[1]).toBeGreaterThanOrEqual(600);
    expect(stats.medianFirstAnswerSeconds).toBe(Math.round((firstAnswers[0]! + firstAnswers[1]!) / 2));
    expect(Number(/^bot_handoff_first_answer_median_seconds (\d+)/m.exec(text)?.[1])).toBe(stats.medianFirstAnswerSeconds);
    // The Vũng Tàu office reaches the web request only: answered, not waiting.
    const officeStats = (await call("GET", "/api/admin/handoffs", office)).body.stats as typeof stats;
    expect(officeStats).toMatchObject({ answered: 1, waiting: (await openList(office)).length });
    expect(officeStats.medianFirstAnswerSeconds).toBe(Math.round(firstAnswers[1]!));
  });
});

describeInBrowser("the web chat page shows staff answers", () => {
  let browser: Browser;
  let running: RunningApp;
  let fake: FakeTelegram;

  beforeAll(async () => {
    fake = await startFakeTelegram({ username: "sogd_inbox_page_bot" });
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, STAFF_CHAT_ID: String(STAFF_CHAT) });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await fake?.stop();
  });

  it("while it is open, and when the browser comes back", async () => {
    const now = running.clock.now();
    const admin = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", now).token;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(running.url);
    await page.locator(".msg.bot").first().waitFor();
    await page.fill("#text", "cho tôi gặp cán bộ");
    await page.press("#text", "Enter");
    await fake.waitForSent((m) => m.chatId === STAFF_CHAT, 8000);
    const id = ((await (await fetch(`${running.url}/api/admin/handoffs?status=open`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { handoffs: { id: number }[] })
      .handoffs[0]!.id;
    const reply = (text: string) =>
      fetch(`${running.url}/api/admin/handoffs/${id}/replies`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
        body: JSON.stringify({ text }),
      });
    expect((await reply("Dạ, <b>cán bộ</b> đây ạ.")).status).toBe(201);
    const staff = page.locator(".msg.staff");
    await staff.first().waitFor({ timeout: 10_000 });
    expect(await staff.first().textContent()).toContain("Dạ, <b>cán bộ</b> đây ạ.");
    expect(await staff.first().locator(".who").textContent()).toBe("Cán bộ Sở GDĐT trả lời");

    // The person closes the tab; an answer arrives meanwhile; the same browser comes back.
    await page.close();
    expect((await reply("Anh/chị xem lại khi rảnh nhé.")).status).toBe(201);
    const again = await context.newPage();
    await again.goto(running.url);
    await again.locator(".msg.staff").first().waitFor({ timeout: 10_000 });
    const texts = await again.locator(".msg.staff").allTextContents();
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("Anh/chị xem lại khi rảnh nhé.");
    await context.close();
  });
});

describe("the web page's requests for staff answers", () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startTestApp({ CHAT_POLLS_PER_IP_PER_MINUTE: "3" });
  });
  afterAll(async () => {
    await running.stop();
  });

  it("are limited per IP address, apart from the messages people send", async () => {
    const user = await webSession(running.url, "poller");
    const poll = () => fetch(`${running.url}/api/chat/messages?user=${encodeURIComponent(user)}&after=0`);
    for (let i = 0; i < 3; i++) expect((await poll()).status).toBe(200);
    const limited = await poll();
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: string }).error).toMatch(/at most 3 a minute per IP address/);
    // Sending is counted apart: the person can still write.
    expect((await postChat(running.url, user, "xin chào")).status).toBe(200);
    running.clock.advance(61_000);
    expect((await poll()).status).toBe(200);
  });
});
