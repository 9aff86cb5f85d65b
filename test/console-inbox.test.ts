import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { importUnits } from "../src/registry/units-import.js";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, signIn, staffAccount } from "./support/console.js";
import { startFakeTelegram, type FakeTelegram, type SentMessage } from "./support/fake-telegram.js";
import { startFakeZalo, type FakeZalo } from "./support/fake-zalo.js";
import { adminCall, FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const STAFF_CHAT = -100555666;
const FIXTURES = join(import.meta.dirname, "fixtures");

describeInBrowser("the console's Hỗ trợ inbox in Chromium", () => {
  let browser: Browser;
  let running: RunningApp;
  let telegram: FakeTelegram;
  let zalo: FakeZalo;
  let token: string;

  const handoffs = async (): Promise<{ id: number; channel: string; status: string }[]> =>
    ((await adminCall(running.url, "GET", "/api/admin/handoffs", token)).body.handoffs ?? []) as { id: number; channel: string; status: string }[];
  const newest = async (channel: string): Promise<number> => {
    const end = Date.now() + 8000;
    for (;;) {
      const found = (await handoffs()).filter((h) => h.channel === channel).sort((a, b) => b.id - a.id)[0];
      if (found || Date.now() > end) return found?.id ?? -1;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const openThread = async (page: Page, id: number): Promise<void> => {
    await page.goto(`${running.url}/admin#/inbox`);
    await page.getByRole("link", { name: `Yêu cầu số ${id}`, exact: true }).click();
    await page.getByRole("heading", { name: `Yêu cầu số ${id}` }).waitFor();
  };
  const answer = async (page: Page, text: string): Promise<void> => {
    await page.getByLabel("Câu trả lời").fill(text);
    await page.getByRole("button", { name: "Gửi câu trả lời" }).click();
  };
  const thread = (page: Page) => page.getByRole("list", { name: "Trao đổi" });

  beforeAll(async () => {
    browser = await launchChromium();
    telegram = await startFakeTelegram({ username: "sogd_console_inbox_bot" });
    // Zalo dates its webhook events: the fake follows the app's clock, which the test moves.
    const clock = new FakeClock(new Date("2026-01-13T01:00:00Z"));
    zalo = await startFakeZalo({ now: () => clock.now().getTime() });
    running = await startTestApp({
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      STAFF_CHAT_ID: String(STAFF_CHAT),
      ...zalo.productEnv(zalo.issueTokens()),
    }, clock);
    const now = running.clock.now();
    expect(importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
    token = running.app.tokens.create({ name: "test", role: "department_admin" }, "test", now).token;
    await staffAccount(running, "lan", "department_admin", { name: "Nguyễn Thị Lan" });
    await staffAccount(running, "xem", "viewer");
    await staffAccount(running, "pgdvt", "office_admin", { unit: "PGD-VT" });
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await telegram?.stop();
    await zalo?.stop();
  });

  it("a web chat request answered from the console reaches the open chat page, and a reopened one", async () => {
    const person = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const chatPage = await person.newPage();
    await chatPage.goto(running.url);
    await chatPage.locator(".msg.bot").first().waitFor();
    await chatPage.fill("#text", "Con tôi chưa có tài khoản VnEdu");
    await chatPage.press("#text", "Enter");
    await chatPage.locator(".msg.bot").nth(1).waitFor();
    await chatPage.fill("#text", "cho tôi gặp cán bộ");
    await chatPage.press("#text", "Enter");
    await telegram.waitForSent((m) => m.chatId === STAFF_CHAT, 8000);
    const id = await newest("web");
    running.clock.advance(12 * 60_000);

    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/inbox`);
    const item = page.locator(".handoff-item", { has: page.getByRole("link", { name: `Yêu cầu số ${id}`, exact: true }) });
    await item.waitFor();
    // Open, on the web chat, in Vietnamese, waiting 12 minutes; the figures at the top count it.
    await expect(item.textContent()).resolves.toMatch(/Đang chờ trả lời[\s\S]*Web chat · Tiếng Việt[\s\S]*đã chờ 12 phút/);
    await expect(item.textContent()).resolves.toContain("Con tôi chưa có tài khoản VnEdu");
    await expect(page.locator(".stat", { hasText: "Yêu cầu đang chờ trả lời" }).locator(".stat-value").textContent()).resolves.toBe("1");
    await expect(page.locator(".stat", { hasText: "trung vị" }).locator(".stat-value").textContent()).resolves.toBe("—");
    expect(await seriousAxeViolations(page)).toEqual([]);

    await item.getByRole("link").click();
    await page.getByRole("heading", { name: `Yêu cầu số ${id}` }).waitFor();
    await answer(page, "Dạ, trường sẽ cấp tài khoản trong tuần này ạ.");
    await page.getByText("Đã lưu câu trả lời. Trang web chat của người hỏi sẽ hiện câu trả lời trong vài giây").waitFor();
    // The still-open chat page shows it (it polls), and the console then sees it delivered.
    await chatPage.locator(".msg.staff", { hasText: "Dạ, trường sẽ cấp tài khoản trong tuần này ạ." }).waitFor({ timeout: 12_000 });
    const mine = thread(page).locator(".thread-msg", { hasText: "trường sẽ cấp tài khoản" });
    await expect(mine.locator(".thread-head").textContent()).resolves.toContain("lan (bảng điều khiển)");
    await mine.getByText("đã đến người hỏi").waitFor({ timeout: 12_000 });
    await expect(page.locator(".badge").first().textContent()).resolves.toBe("Đã trả lời");
    expect(await seriousAxeViolations(page)).toEqual([]);

    // The person closes the tab; a second answer comes; the same browser opens the chat again.
    await chatPage.close();
    await answer(page, "Anh/chị xem lại khi rảnh nhé.");
    await page.getByText("Đã lưu câu trả lời.").waitFor();
    const again = await person.newPage();
    await again.goto(running.url);
    await again.locator(".msg.staff", { hasText: "Anh/chị xem lại khi rảnh nhé." }).waitFor({ timeout: 12_000 });
    await expect(again.locator(".msg.staff").count()).resolves.toBe(1);

    // The inbox's figures now have a first answer: 12 minutes.
    await page.getByRole("link", { name: "Về danh sách" }).click();
    await expect(page.locator(".stat", { hasText: "trung vị" }).locator(".stat-value").textContent()).resolves.toBe("12 phút");
    await context.close();
    await person.close();
  });

  it("a Telegram request answered from the console, then from the staff chat, shows as one thread", async () => {
    const chatId = 770101;
    telegram.pushUpdate(telegram.textUpdate(chatId, "tôi muốn gặp nhân viên tư vấn về học bạ số"));
    const post = await telegram.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("học bạ số"), 8000);
    const id = await newest("telegram");

    const { context, page } = await consolePage(browser, "smallPhone");
    await signIn(page, running.url, "lan");
    await openThread(page, id);
    await expect(page.locator(".handoff-meta").first().textContent()).resolves.toContain("Telegram");
    await answer(page, "Dạ, học bạ số có từ tháng 3 ạ.");
    await page.getByText("Đã đưa câu trả lời vào hàng gửi qua Telegram").waitFor();
    const got = await telegram.waitForSent((m) => m.chatId === chatId && m.visibleText.includes("học bạ số có từ tháng 3"), 8000);
    expect(got.visibleText).toContain("Cán bộ Sở GDĐT trả lời");

    staffReply(telegram, post, 9301, "Lớp 10 cũng dùng học bạ số ạ.");
    await telegram.waitForSent((m) => m.chatId === chatId && m.visibleText.includes("Lớp 10 cũng dùng"), 8000);
    // The open thread refreshes itself: both answers, each with where it came from.
    const fromChat = thread(page).locator(".thread-msg", { hasText: "Lớp 10 cũng dùng học bạ số ạ." });
    await fromChat.waitFor({ timeout: 12_000 });
    await expect(fromChat.locator(".thread-head").textContent()).resolves.toContain("Chị Hoa (nhóm cán bộ Telegram)");
    const heads = await thread(page).locator(".thread-head strong").allTextContents();
    expect(heads).toEqual(["lan (bảng điều khiển)", "Chị Hoa (nhóm cán bộ Telegram)"]);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await expectNoHorizontalScroll(page);

    // Closing: the reply box goes, reopening brings it back.
    await page.getByRole("button", { name: "Đóng yêu cầu" }).click();
    await page.getByText("Đã đóng yêu cầu.").waitFor();
    await page.getByLabel("Câu trả lời").waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Mở lại yêu cầu" }).click();
    await page.getByText("Đã mở lại yêu cầu.").waitFor();
    await page.getByLabel("Câu trả lời").waitFor();
    await context.close();
  });

  it("a Zalo request answered from the console arrives at Zalo", async () => {
    const webhook = `${running.url}/webhooks/zalo`;
    expect((await zalo.postEvent(webhook, zalo.textEvent("zinbox1", "tuyển sinh lớp 10 có thi môn ngoại ngữ không", "zm1"))).status).toBe(200);
    await zalo.waitForSent((m) => m.userId === "zinbox1", 8000);
    expect((await zalo.postEvent(webhook, zalo.textEvent("zinbox1", "cho tôi gặp cán bộ", "zm2"))).status).toBe(200);
    await telegram.waitForSent((m) => m.chatId === STAFF_CHAT && m.visibleText.includes("tuyển sinh"), 8000);
    const id = await newest("zalo");
    const { context, page } = await consolePage(browser, "phone");
    await signIn(page, running.url, "lan");
    await openThread(page, id);
    await answer(page, "Dạ, tuyển sinh lớp 10 anh/chị xem tại cổng của Sở ạ.");
    await page.getByText("Đã đưa câu trả lời vào hàng gửi qua Zalo").waitFor();
    const sent = await zalo.waitForSent((m) => m.userId === "zinbox1" && m.text.includes("tuyển sinh lớp 10 anh/chị xem"), 8000);
    expect(sent.text).toContain("Dạ, tuyển sinh lớp 10 anh/chị xem tại cổng của Sở ạ.");
    await thread(page).getByText("đã đến người hỏi").waitFor({ timeout: 12_000 });
    await expectNoHorizontalScroll(page);
    await page.getByRole("link", { name: "Về danh sách" }).click();
    await page.locator(".handoff-item").first().waitFor();
    await expectNoHorizontalScroll(page);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  });

  it("a viewer reads threads without reply or close buttons; an office admin sees only its units' requests", async () => {
    const id = await newest("zalo"); // the request of the Zalo test above
    const viewer = await consolePage(browser, "desktop");
    await signIn(viewer.page, running.url, "xem");
    await openThread(viewer.page, id);
    await thread(viewer.page).getByText("tuyển sinh lớp 10").waitFor();
    await expect(viewer.page.getByLabel("Câu trả lời").count()).resolves.toBe(0);
    await expect(viewer.page.getByRole("button", { name: /Gửi câu trả lời|Đóng yêu cầu|Mở lại yêu cầu/ }).count()).resolves.toBe(0);
    // In English too.
    await viewer.page.getByRole("button", { name: "English" }).click();
    await viewer.page.getByRole("heading", { name: `Request ${id}` }).waitFor();
    await expect(viewer.page.locator(".handoff-meta").first().textContent()).resolves.toMatch(/Zalo · Vietnamese · sent \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    await viewer.page.getByRole("list", { name: "Messages" }).waitFor();
    await viewer.page.getByText("(console)").first().waitFor();
    await viewer.context.close();

    // The Zalo person follows a Vũng Tàu school; nobody else in this test follows anything there.
    const conn = connectTestDatabase(running.dbPath);
    conn
      .prepare(
        `INSERT INTO user_units (user_id, unit_id, created_at)
         SELECT a.user_id, (SELECT id FROM units WHERE code = 'THCS-HKN-VT'), 0 FROM channel_addresses a
         WHERE a.channel = 'zalo' AND a.address = ?`,
      )
      .run("zinbox1");
    conn.close();
    const office = await consolePage(browser, "desktop");
    await signIn(office.page, running.url, "pgdvt");
    await office.page.goto(`${running.url}/admin#/inbox`);
    await office.page.getByRole("link", { name: `Yêu cầu số ${id}`, exact: true }).waitFor();
    await expect(office.page.locator(".handoff-item").count()).resolves.toBe(1);
    // Out of its units (a Telegram person who follows nothing): "not found", worded.
    const before = await newest("telegram");
    telegram.pushUpdate(telegram.textUpdate(770303, "cho tôi gặp cán bộ"));
    await telegram.waitForSent((m) => m.chatId === 770303, 8000);
    const outside = await newest("telegram");
    expect(outside).toBeGreaterThan(before);
    await office.page.goto(`${running.url}/admin#/inbox/${outside}`);
    await office.page.getByText("Không tìm thấy").waitFor();
    await office.context.close();
  }, 40_000);
});

function staffReply(fake: FakeTelegram, post: SentMessage, messageId: number, text: string): void {
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
}

