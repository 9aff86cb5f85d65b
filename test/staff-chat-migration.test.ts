import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeTelegram, type FakeTelegram } from "./support/fake-telegram.js";
import { chat, startTestApp, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const OLD_GROUP = -4012345678;
const SUPERGROUP = -1004012345678;

describe("a staff chat upgraded to a supergroup", () => {
  let fake: FakeTelegram;
  let running: RunningApp;
  const env = () => ({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, STAFF_CHAT_ID: String(OLD_GROUP) });

  beforeAll(async () => {
    fake = await startFakeTelegram();
    fake.migrateChat(OLD_GROUP, SUPERGROUP);
    running = await startTestApp(env());
  });
  afterAll(async () => {
    await running.stop();
    await fake.stop();
  });

  it("follows migrate_to_chat_id: the post reaches the supergroup and the person is told so", async () => {
    fake.pushUpdate(fake.textUpdate(8101, "cho tôi gặp cán bộ tư vấn"));
    const post = await fake.waitForSent((m) => m.chatId === SUPERGROUP, 8000);
    expect(post.visibleText).toContain("cho tôi gặp cán bộ tư vấn");
    const toUser = await fake.waitForSent((m) => m.chatId === 8101, 8000);
    expect(toUser.visibleText).toMatch(/đã chuyển yêu cầu/);
    // A staff reply in the supergroup still reaches the person.
    const now = Math.floor(Date.now() / 1000);
    const group = { id: SUPERGROUP, type: "supergroup", title: "Hỗ trợ" };
    fake.pushUpdate({
      message: {
        message_id: 9100, date: now, chat: group, from: { id: 42, is_bot: false, first_name: "Cán bộ" },
        text: "Dạ, Sở đã nhận được ạ.",
        reply_to_message: { message_id: post.messageId, date: now, chat: group, text: post.visibleText },
      },
    } as never);
    await fake.waitForSent((m) => m.chatId === 8101 && m.visibleText.includes("Sở đã nhận được"), 8000);
  });

  it("remembers the move across a restart, though STAFF_CHAT_ID still names the old group", async () => {
    await running.stop({ keepData: true });
    running = await startTestApp(env(), undefined, running.dbPath);
    const before = fake.requests.length;
    fake.pushUpdate(fake.textUpdate(8102, "tôi muốn gặp nhân viên tư vấn"));
    await fake.waitForSent((m) => m.chatId === SUPERGROUP && m.visibleText.includes("tôi muốn gặp nhân viên tư vấn"), 8000);
    expect((await fake.waitForSent((m) => m.chatId === 8102, 8000)).visibleText).toMatch(/đã chuyển yêu cầu/);
    const toOld = fake.requests.slice(before).filter((r) => r.method === "sendMessage" && Number(r.body.chat_id) === OLD_GROUP);
    expect(toOld).toHaveLength(0);
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const row = conn.prepare("SELECT from_address AS f, to_address AS t FROM chat_migrations").get();
    conn.close();
    expect(row).toEqual({ f: String(OLD_GROUP), t: String(SUPERGROUP) });
  });

  it("tells the person honestly when the post did not reach staff", async () => {
    fake.failNext("sendMessage", { status: 400, description: "Bad Request: not enough rights to send text messages to the chat" });
    fake.pushUpdate(fake.textUpdate(8103, "cho tôi nói chuyện với cán bộ"));
    const toUser = await fake.waitForSent((m) => m.chatId === 8103, 8000);
    expect(toUser.visibleText).toMatch(/chưa chuyển được yêu cầu/);
    expect(toUser.visibleText).not.toMatch(/đã chuyển yêu cầu/);
    expect(fake.sent.some((m) => m.chatId === SUPERGROUP && m.visibleText.includes("cho tôi nói chuyện với cán bộ"))).toBe(false);
  });
});

describe("the migration service message in the staff group", () => {
  const GROUP = -4099;
  const MOVED = -1004099;
  let fake: FakeTelegram;
  let running: RunningApp;
  beforeAll(async () => {
    fake = await startFakeTelegram();
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, STAFF_CHAT_ID: String(GROUP) });
  });
  afterAll(async () => {
    await running.stop();
    await fake.stop();
  });

  it("is followed before any post fails", async () => {
    fake.migrateChat(GROUP, MOVED);
    fake.pushUpdate({
      message: {
        message_id: 5, date: Math.floor(Date.now() / 1000), chat: { id: GROUP, type: "group", title: "Hỗ trợ" },
        from: { id: 42, is_bot: false, first_name: "Cán bộ" }, migrate_to_chat_id: MOVED,
      },
    } as never);
    const moved = () => {
      const conn = connectTestDatabase(running.dbPath, { readonly: true });
      const row = conn.prepare("SELECT to_address AS t FROM chat_migrations").get() as { t: string } | undefined;
      conn.close();
      return row?.t;
    };
    for (let i = 0; i < 100 && moved() === undefined; i++) await new Promise((r) => setTimeout(r, 50));
    expect(moved()).toBe(String(MOVED));
    const before = fake.requests.length;
    fake.pushUpdate(fake.textUpdate(8201, "cho tôi gặp cán bộ tư vấn"));
    await fake.waitForSent((m) => m.chatId === MOVED, 8000);
    expect(fake.requests.slice(before).some((r) => Number(r.body.chat_id) === GROUP)).toBe(false);
  });
});

describe("hand-off without a staff chat", () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startTestApp();
  });
  afterAll(async () => {
    await running.stop();
  });

  it("does not claim anyone was told", async () => {
    const vi = await chat(running.url, "parent-nostaff", "cho tôi gặp cán bộ tư vấn");
    expect(vi.replies[0]?.text).toMatch(/chưa chuyển được yêu cầu/);
    expect(vi.replies[0]?.text).not.toMatch(/đã chuyển yêu cầu/);
    const en = await chat(running.url, "parent-nostaff-en", "I want to talk to a staff member");
    expect(en.replies[0]?.text).toMatch(/could not pass your request/);
  });
});
