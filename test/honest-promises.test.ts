import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webAddressOf } from "../src/db/web-sessions.js";
import { Linking } from "../src/registry/linking.js";
import { importPeople } from "../src/registry/people-import.js";
import { importUnits } from "../src/registry/units-import.js";
import { startFakeTelegram, type FakeTelegram, type SentMessage } from "./support/fake-telegram.js";
import { chat, FakeClock, startTestApp, webSession, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const STAFF_CHAT = -100700800;
/** Saturday 16 January 2027, 19:00 in Vietnam; the next office morning is Monday 18/01/2027 07:30. */
const SATURDAY_EVENING = new Date("2027-01-16T12:00:00Z");
/** Tuesday 19 January 2027, 10:00 in Vietnam. */
const TUESDAY_MORNING = new Date("2027-01-19T03:00:00Z");

function subscribedFlag(running: RunningApp, channel: string, address: string): number | undefined {
  const conn = connectTestDatabase(running.dbPath, { readonly: true });
  const row = conn
    .prepare("SELECT u.subscribed AS s FROM users u JOIN channel_addresses a ON a.user_id = u.id WHERE a.channel = ? AND a.address = ?")
    .get(channel, address) as { s: number } | undefined;
  conn.close();
  return row?.s;
}

const textOf = (reply: { replies: { text: string }[] }): string => reply.replies.map((r) => r.text).join("\n");

describe("web chat with the Telegram bot and the Zalo OA configured", () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startTestApp({ TELEGRAM_BOT_USERNAME: "sogd_hotro_bot", ZALO_OA_URL: "https://zalo.me/1234567890" });
  });
  afterAll(async () => {
    await running.stop();
  });

  it("/subscribe does not subscribe the web chat and points to Telegram and Zalo", async () => {
    const secret = await webSession(running.url, "sub-1");
    const text = textOf(await chat(running.url, "sub-1", "/subscribe"));
    expect(text).toMatch(/^Dạ, khung trò chuyện trên trang web này không nhận được thông báo/);
    expect(text).toContain("• Telegram: https://t.me/sogd_hotro_bot");
    expect(text).toContain("• Zalo: https://zalo.me/1234567890");
    expect(text).not.toMatch(/đăng ký thành công/);
    expect(subscribedFlag(running, "web", webAddressOf(secret))).toBe(0);
  });

  it("the subscribe intent and the subscribe button say the same and subscribe nobody", async () => {
    const secret = await webSession(running.url, "sub-2");
    const typed = await chat(running.url, "sub-2", "đăng ký nhận thông báo của sở");
    const tapped = await chat(running.url, "sub-2", "#subscribe");
    for (const reply of [typed, tapped]) expect(textOf(reply)).toContain("https://t.me/sogd_hotro_bot");
    expect(subscribedFlag(running, "web", webAddressOf(secret))).toBe(0);
  });

  it("/unsubscribe does not claim to stop announcements the web chat never sent", async () => {
    const text = textOf(await chat(running.url, "sub-5", "/unsubscribe"));
    expect(text).toMatch(/^Dạ, khung trò chuyện trên trang web này không gửi thông báo nên không có gì cần ngừng ạ\./);
    expect(text).not.toMatch(/ngừng gửi thông báo/);
    await chat(running.url, "sub-6", "/lang en");
    expect(textOf(await chat(running.url, "sub-6", "/unsubscribe"))).toMatch(/^This web chat never sends announcements/);
  });

  it("/follow explains that following a school matters only on Telegram or Zalo", async () => {
    const text = textOf(await chat(running.url, "sub-3", "/follow THPT Vũng Tàu"));
    expect(text).toMatch(/theo dõi trường chỉ có tác dụng trên Telegram hoặc Zalo/);
    expect(text).toContain("https://zalo.me/1234567890");
  });

  it("answers fully in English for an English speaker", async () => {
    await chat(running.url, "sub-4", "/lang en");
    const text = textOf(await chat(running.url, "sub-4", "/subscribe"));
    expect(text).toMatch(/^This web chat cannot receive announcements, so you have not been subscribed\./);
    expect(text).toContain("https://t.me/sogd_hotro_bot");
    expect(text).not.toMatch(/[ạảãàáâậầấẩẫăắằặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữ]|Dạ/i);
  });

  it("a hand-off with no staff chat does not claim anyone was told, even at the weekend", async () => {
    running.clock.set(SATURDAY_EVENING);
    const text = textOf(await chat(running.url, "sub-5", "cho gặp nhân viên"));
    expect(text).toMatch(/chưa chuyển được yêu cầu/);
    expect(text).not.toMatch(/ngoài giờ làm việc|cán bộ sẽ xem/);
  });
});

describe("web chat with nothing to point to", () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startTestApp();
  });
  afterAll(async () => {
    await running.stop();
  });

  it("/subscribe says plainly that this chat cannot receive announcements and names the website", async () => {
    const secret = await webSession(running.url, "bare-1");
    const text = textOf(await chat(running.url, "bare-1", "/subscribe"));
    expect(text).toMatch(/không nhận được thông báo/);
    expect(text).toContain("http://bariavungtau.edu.vn");
    expect(text).not.toMatch(/t\.me|zalo\.me|liên kết dưới đây/);
    expect(subscribedFlag(running, "web", webAddressOf(secret))).toBe(0);
  });
});

describe("Telegram, web chat and the staff chat together", () => {
  let fake: FakeTelegram;
  let running: RunningApp;
  let clock: FakeClock;
  let nextChat = 7100;

  const say = async (chatId: number, text: string): Promise<string> => {
    const before = fake.sent.filter((m) => m.chatId === chatId).length;
    fake.pushUpdate(fake.textUpdate(chatId, text));
    await fake.waitForSent((m) => m.chatId === chatId && fake.sent.filter((s) => s.chatId === chatId).length > before, 8000);
    const mine = fake.sent.filter((m) => m.chatId === chatId);
    return (mine[mine.length - 1] as SentMessage).visibleText;
  };

  beforeAll(async () => {
    // No TELEGRAM_BOT_USERNAME: the username comes from the running bot (getMe).
    fake = await startFakeTelegram({ username: "sogd_test_bot" });
    clock = new FakeClock(TUESDAY_MORNING);
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, STAFF_CHAT_ID: String(STAFF_CHAT) }, clock);
    const now = clock.now();
    expect(importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
    expect(importPeople(running.app.database, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
  });
  afterAll(async () => {
    await running.stop();
    await fake.stop();
  });

  it("Telegram /subscribe still subscribes", async () => {
    const chatId = nextChat++;
    expect(await say(chatId, "/subscribe")).toMatch(/đăng ký thành công/);
    expect(subscribedFlag(running, "telegram", String(chatId))).toBe(1);
  });

  it("/link CODE on the web chat does not use the code and offers a one-tap Telegram link with it", async () => {
    const code = new Linking(running.app.database.db).issue("CB0013", "test", clock.now()).code;
    const text = textOf(await chat(running.url, "link-1", `/link ${code.toLowerCase()}`));
    expect(text).toMatch(/không dùng mã ở đây/);
    expect(text).toContain(`https://t.me/sogd_test_bot?start=${code}`);
    expect(text).toContain(`/link ${code}`);
    expect(text).not.toMatch(/Đã liên kết/);
    // The same code still links a Telegram chat afterwards.
    expect(await say(nextChat++, `/link ${code}`)).toMatch(/Đã liên kết: Ngô Thị Bích Ngọc/);
  });

  it("/start CODE on the web chat does not use the code either", async () => {
    const code = new Linking(running.app.database.db).issue("CB0009", "test", clock.now()).code;
    expect(textOf(await chat(running.url, "link-2", `/start ${code}`))).toContain(`?start=${code}`);
    expect(await say(nextChat++, `/start ${code}`)).toMatch(/^Đã liên kết: /);
  });

  it("a hand-off on Saturday evening says when staff will see it", async () => {
    clock.set(SATURDAY_EVENING);
    const text = textOf(await chat(running.url, "handoff-1", "cho gặp nhân viên"));
    expect(text).toMatch(/^Dạ, Trợ lý đã chuyển yêu cầu/);
    expect(text).toContain("Hiện đang ngoài giờ làm việc: cán bộ sẽ xem yêu cầu từ 07:30 thứ Hai, 18/01/2027 ạ.");
    await fake.waitForSent((m) => m.chatId === STAFF_CHAT, 8000);
  });

  it("says it in English to an English speaker", async () => {
    clock.set(SATURDAY_EVENING);
    await chat(running.url, "handoff-2", "/lang en");
    const text = textOf(await chat(running.url, "handoff-2", "I want to talk to a real person"));
    expect(text).toMatch(/^I have passed your request/);
    expect(text).toContain("It is outside office hours now: staff will see your request from 07:30 on Monday, 18/01/2027.");
  });

  it("names the same morning before opening, and Monday from Friday's closing time", async () => {
    const cases: [string, string][] = [
      ["2027-01-17T23:00:00Z", "07:30 thứ Hai, 18/01/2027"], // Monday 06:00
      ["2027-01-22T10:00:00Z", "07:30 thứ Hai, 25/01/2027"], // Friday 17:00, closing time
      ["2027-01-19T16:59:00Z", "07:30 thứ Tư, 20/01/2027"], // Tuesday 23:59
    ];
    for (const [at, expected] of cases) {
      clock.set(new Date(at));
      expect(textOf(await chat(running.url, `handoff-${at}`, "cho gặp nhân viên"))).toContain(`cán bộ sẽ xem yêu cầu từ ${expected} ạ.`);
    }
  });

  it("adds no such line during office hours", async () => {
    clock.set(TUESDAY_MORNING);
    const text = textOf(await chat(running.url, "handoff-3", "cho gặp nhân viên"));
    expect(text).toMatch(/^Dạ, Trợ lý đã chuyển yêu cầu/);
    expect(text).not.toMatch(/ngoài giờ làm việc|cán bộ sẽ xem yêu cầu từ/);
  });
});
