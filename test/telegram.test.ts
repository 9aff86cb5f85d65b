import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderTemplate } from "../src/core/rich-text.js";
import { startFakeTelegram, type FakeTelegram, type SentMessage } from "./support/fake-telegram.js";
import { startTestApp, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const STAFF_CHAT = -100200300;

function callbackData(message: SentMessage): string[] {
  return (message.replyMarkup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? "");
}

describe("Telegram by long polling, through the real telegraf client", () => {
  let fake: FakeTelegram;
  let running: RunningApp;
  let nextChat = 5000;

  beforeAll(async () => {
    fake = await startFakeTelegram({ username: "sogd_test_bot" });
    running = await startTestApp({
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      STAFF_CHAT_ID: String(STAFF_CHAT),
    });
  });
  afterAll(async () => {
    await running.stop();
    await fake.stop();
  });
  beforeEach(() => {
    nextChat++;
  });

  const ask = async (text: string, languageCode = "vi") => {
    const chatId = nextChat;
    fake.pushUpdate(fake.textUpdate(chatId, text, { languageCode }));
    return fake.waitForSent((m) => m.chatId === chatId, 8000);
  };

  it("registers its commands in Vietnamese and English", () => {
    const languages = fake.commands.map((c) => c.languageCode).sort();
    expect(languages).toEqual(["", "en", "vi"]);
    const vi = fake.commands.find((c) => c.languageCode === "vi");
    expect(vi?.commands.map((c) => c.command)).toEqual(["start", "menu", "help", "lang", "subscribe", "unsubscribe", "follow", "unfollow", "link", "tasks", "settings", "unlink", "forget"]);
    expect(vi?.commands.find((c) => c.command === "forget")?.description).toMatch(/Xóa dữ liệu/);
  });

  it("answers an unaccented question in HTML with buttons whose data fits 64 bytes", async () => {
    const reply = await ask("chuyen truong cap 3 can gi");
    expect(reply.parseMode).toBe("HTML");
    expect(reply.visibleText).toContain("Chuyển trường đối với học sinh trung học phổ thông");
    expect(reply.visibleText).toContain("http://dichvucong.baria-vungtau.gov.vn");
    const data = callbackData(reply);
    expect(data.length).toBeGreaterThan(0);
    for (const d of data) expect(Buffer.byteLength(d)).toBeLessThanOrEqual(64);
  });

  it("answers English in English", async () => {
    const reply = await ask("I forgot my child's VnEdu password, what should I do?", "en");
    expect(reply.visibleText).toMatch(/school/i);
    expect(reply.visibleText).toMatch(/never ask/i);
  });

  it("greets on /start with the topic menu, and follows a tapped button", async () => {
    const chatId = nextChat;
    const welcome = await ask("/start");
    expect(callbackData(welcome)).toContain("#dvc.list");
    fake.pushUpdate(fake.callbackUpdate(chatId, "#dvc.list", welcome.messageId));
    const list = await fake.waitForSent((m) => m.chatId === chatId && m.messageId !== welcome.messageId, 8000);
    expect(list.visibleText).toContain("Cấp bản sao văn bằng, chứng chỉ từ sổ gốc");
    expect(list.visibleText).toContain("Phúc khảo bài thi tốt nghiệp trung học phổ thông");
    expect(fake.answeredCallbacks.length).toBeGreaterThan(0);
  });

  it("opens a topic from a deep link (/start with a payload)", async () => {
    const reply = await ask("/start dvc-transfer_school");
    expect(reply.visibleText).toContain("Chuyển trường đối với học sinh trung học phổ thông");
  });

  it("politely says it reads text only when sent a sticker", async () => {
    const chatId = nextChat;
    fake.pushUpdate({
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: "private", first_name: "Lan" },
        from: { id: chatId, is_bot: false, first_name: "Lan", language_code: "vi" },
        sticker: { file_id: "x", file_unique_id: "y", type: "regular", width: 512, height: 512, is_animated: false, is_video: false },
      },
    });
    const reply = await fake.waitForSent((m) => m.chatId === chatId, 8000);
    expect(reply.visibleText).toMatch(/chỉ đọc được tin nhắn văn bản/);
  });

  it("survives a malformed update and answers the next one", async () => {
    fake.pushUpdate({ message: { message_id: 9 } } as never);
    fake.pushUpdate({ callback_query: { id: "q1" } } as never);
    const reply = await ask("tra cứu điểm thi vào lớp 10 ở đâu");
    expect(reply.visibleText.length).toBeGreaterThan(20);
  });

  it("waits retry_after on a 429 and then delivers", async () => {
    fake.failNext("sendMessage", { status: 429, retryAfter: 1 });
    const before = fake.requests.length;
    const reply = await ask("học bạ điện tử là gì");
    expect(reply.visibleText).toMatch(/học bạ điện tử/i);
    const sends = fake.requests.slice(before).filter((r) => r.method === "sendMessage");
    expect(sends.length).toBe(2);
    expect((sends[1]?.time ?? 0) - (sends[0]?.time ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("does not retry a 400", async () => {
    const chatId = nextChat;
    fake.failNext("sendMessage", { status: 400, description: "Bad Request: something is wrong" });
    const before = fake.requests.length;
    fake.pushUpdate(fake.textUpdate(chatId, "xin chào"));
    const followUp = nextChat + 100000;
    fake.pushUpdate(fake.textUpdate(followUp, "xin chào"));
    await fake.waitForSent((m) => m.chatId === followUp, 8000);
    const toChat = fake.requests.slice(before).filter((r) => r.method === "sendMessage" && Number(r.body.chat_id) === chatId);
    expect(toChat.length).toBe(1);
  });

  it("marks a chat unreachable when the user blocked the bot (403)", async () => {
    const chatId = nextChat;
    fake.blockChat(chatId);
    fake.pushUpdate(fake.textUpdate(chatId, "xin chào"));
    const deadline = Date.now() + 8000;
    let unreachable: number | null = null;
    while (Date.now() < deadline && unreachable === null) {
      await new Promise((r) => setTimeout(r, 100));
      const db = connectTestDatabase(running.dbPath, { readonly: true });
      const row = db.prepare("SELECT unreachable_at FROM channel_addresses WHERE channel='telegram' AND address=?").get(String(chatId)) as
        | { unreachable_at: number | null }
        | undefined;
      db.close();
      unreachable = row?.unreachable_at ?? null;
    }
    expect(unreachable).not.toBeNull();
    expect(fake.sent.some((m) => m.chatId === chatId)).toBe(false);
  });

  it("posts a hand-off to the staff chat with the user's words escaped", async () => {
    const chatId = nextChat;
    fake.pushUpdate(fake.textUpdate(chatId, "Trường <THPT> A & B chưa cấp tài khoản vnedu cho con tôi"));
    await fake.waitForSent((m) => m.chatId === chatId, 8000);
    fake.pushUpdate(fake.textUpdate(chatId, "cho tôi nói chuyện với cán bộ"));
    const staffPost = await fake.waitForSent((m) => m.chatId === STAFF_CHAT, 8000);
    expect(staffPost.parseMode).toBe("HTML");
    expect(staffPost.visibleText).toContain("Trường <THPT> A & B chưa cấp tài khoản vnedu cho con tôi");
    const toUser = await fake.waitForSent((m) => m.chatId === chatId && /cán bộ/.test(m.visibleText) && m.visibleText !== staffPost.visibleText, 8000);
    expect(toUser.visibleText).toMatch(/cán bộ/);
  });

  it("relays a staff member's reply to the hand-off post back to the person", async () => {
    const chatId = nextChat;
    fake.pushUpdate(fake.textUpdate(chatId, "tôi muốn gặp nhân viên tư vấn"));
    const post = await fake.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("tôi muốn gặp nhân viên tư vấn"), 8000);
    const now = Math.floor(Date.now() / 1000);
    fake.pushUpdate({
      message: {
        message_id: 9001,
        date: now,
        chat: { id: STAFF_CHAT, type: "supergroup", title: "Hỗ trợ" },
        from: { id: 42, is_bot: false, first_name: "Cán bộ" },
        text: "Chào anh/chị, trường sẽ cấp tài khoản VnEdu trong tuần này <ạ> & xin cảm ơn.",
        reply_to_message: { message_id: post.messageId, date: now, chat: { id: STAFF_CHAT, type: "supergroup", title: "Hỗ trợ" }, text: post.visibleText },
      },
    } as never);
    const relayed = await fake.waitForSent((m) => m.chatId === chatId && m.visibleText.includes("trường sẽ cấp tài khoản"), 8000);
    expect(relayed.visibleText).toContain("Cán bộ Sở GDĐT trả lời");
    expect(relayed.visibleText).toContain("<ạ> & xin cảm ơn");
    const confirmation = await fake.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("Đã chuyển câu trả lời"), 8000);
    expect(confirmation.parseMode).toBe("HTML");
  });

  it("tells the staff chat when a relayed reply could not be delivered (the person blocked the bot)", async () => {
    const chatId = nextChat;
    fake.pushUpdate(fake.textUpdate(chatId, "cho tôi gặp cán bộ phụ trách"));
    const post = await fake.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("cho tôi gặp cán bộ phụ trách"), 8000);
    await fake.waitForSent((m) => m.chatId === chatId && /cán bộ/.test(m.visibleText), 8000);
    await new Promise((r) => setTimeout(r, 100));
    const now = Math.floor(Date.now() / 1000);
    fake.failNext("sendMessage", { status: 403, description: "Forbidden: bot was blocked by the user" });
    fake.pushUpdate({
      message: {
        message_id: 9002,
        date: now,
        chat: { id: STAFF_CHAT, type: "supergroup", title: "Hỗ trợ" },
        from: { id: 42, is_bot: false, first_name: "Cán bộ" },
        text: "Dạ, anh/chị gọi số của Phòng nhé.",
        reply_to_message: { message_id: post.messageId, date: now, chat: { id: STAFF_CHAT, type: "supergroup", title: "Hỗ trợ" }, text: post.visibleText },
      },
    } as never);
    const confirmation = await fake.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("Không gửi được câu trả lời"), 8000);
    expect(confirmation.visibleText).not.toContain("Đã chuyển");
    expect(fake.sent.some((m) => m.chatId === chatId && m.visibleText.includes("gọi số của Phòng"))).toBe(false);
  });

  it("splits a text over 4,096 characters at paragraph boundaries, buttons on the last piece", async () => {
    const chatId = nextChat;
    const paragraph = (n: number) => `**Phần ${n}** ${"nội dung <chi tiết> & ghi chú ".repeat(45).trim()}`;
    const template = Array.from({ length: 6 }, (_, i) => paragraph(i + 1)).join("\n\n");
    const telegram = running.app.telegram;
    expect(telegram).toBeDefined();
    await telegram?.sender.send(String(chatId), {
      text: renderTemplate(template, {}),
      buttons: [{ label: "Danh mục", payload: "#menu" }],
    });
    const pieces = fake.sent.filter((m) => m.chatId === chatId);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces) expect(p.visibleText.length).toBeLessThanOrEqual(4096);
    expect(pieces[0]?.visibleText.startsWith("Phần 1")).toBe(true);
    expect(pieces.slice(0, -1).every((p) => p.replyMarkup === undefined)).toBe(true);
    expect(callbackData(pieces[pieces.length - 1] as SentMessage)).toEqual(["#menu"]);
    expect(pieces.map((p) => p.visibleText).join("").replace(/\s/g, "")).toBe(
      template.replace(/\*\*/g, "").replace(/\s/g, ""),
    );
  });
});

describe("Telegram by webhook", () => {
  let fake: FakeTelegram;
  let running: RunningApp;
  const secret = "webhook_secret-123";

  beforeAll(async () => {
    fake = await startFakeTelegram();
    running = await startTestApp({
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      PUBLIC_URL: "https://bot.sogd.example.vn",
      TELEGRAM_WEBHOOK_SECRET: secret,
    });
  });
  afterAll(async () => {
    await running.stop();
    await fake.stop();
  });

  it("registers the webhook with its secret", () => {
    expect(fake.webhook.url).toBe("https://bot.sogd.example.vn/webhooks/telegram");
    expect(fake.webhook.secretToken).toBe(secret);
  });

  it("answers an update that carries the right secret", async () => {
    const res = await fake.postToWebhook(`${running.url}/webhooks/telegram`, fake.textUpdate(7001, "phuc khao bai thi tot nghiep"), secret);
    expect(res.status).toBe(200);
    const reply = await fake.waitForSent((m) => m.chatId === 7001, 8000);
    expect(reply.visibleText).toContain("Phúc khảo bài thi tốt nghiệp trung học phổ thông");
  });

  it("refuses updates without or with a wrong secret, and processes nothing", async () => {
    const none = await fake.postToWebhook(`${running.url}/webhooks/telegram`, fake.textUpdate(7002, "xin chào"));
    const wrong = await fake.postToWebhook(`${running.url}/webhooks/telegram`, fake.textUpdate(7002, "xin chào"), "guess");
    expect(none.status).toBe(401);
    expect(wrong.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.sent.some((m) => m.chatId === 7002)).toBe(false);
  });

  it("answers malformed bodies with 400 and keeps working", async () => {
    const post = (body: string) =>
      fetch(`${running.url}/webhooks/telegram`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
        body,
      });
    expect((await post("{oops")).status).toBe(400);
    expect((await post(JSON.stringify({ hello: "world" }))).status).toBe(400);
    expect((await post(JSON.stringify({ update_id: 5, message: { text: "no chat" } }))).status).toBe(200);
    const res = await fake.postToWebhook(`${running.url}/webhooks/telegram`, fake.textUpdate(7003, "xin chào"), secret);
    expect(res.status).toBe(200);
    await fake.waitForSent((m) => m.chatId === 7003, 8000);
  });
});
