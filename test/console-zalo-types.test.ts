import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, signIn, staffAccount } from "./support/console.js";
import { startFakeZalo, type FakeZalo } from "./support/fake-zalo.js";
import { startTestApp, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const HOUR = 3_600_000;

/**
 * Four Zalo followers: one who wrote just now, one three days ago (a consultation message is charged after 48
 * hours), one ten days ago (out of the window: a promotion message), and one ten days ago who has already had
 * this month's four promotion messages (sent rows of earlier broadcasts).
 */
function seed(running: RunningApp): void {
  const conn = connectTestDatabase(running.dbPath);
  const now = running.clock.now().getTime();
  const follower = (id: number, address: string, lastInbound: number): void => {
    conn.prepare("INSERT INTO users (id, role, subscribed, created_at, last_seen_at) VALUES (?, 'subscriber', TRUE, ?, ?)").run(id, lastInbound, lastInbound);
    conn.prepare("INSERT INTO channel_addresses (user_id, channel, address, last_inbound_at, created_at) VALUES (?, 'zalo', ?, ?, ?)").run(id, address, lastInbound, lastInbound);
  };
  follower(701, "zin", now - HOUR);
  follower(702, "zmid", now - 72 * HOUR);
  follower(703, "zout", now - 240 * HOUR);
  follower(704, "zfull", now - 240 * HOUR);
  for (const cause of [9001, 9002, 9003, 9004]) {
    conn
      .prepare(
        `INSERT INTO outbox (dedupe_key, cause_type, cause_id, user_id, channel, address, locale, urgent, status, not_before, created_at, done_at, zalo_type)
         VALUES (?, 'broadcast', ?, 704, 'zalo', 'zfull', 'vi', FALSE, 'sent', ?, ?, ?, 'promotion')`,
      )
      .run(`broadcast:${cause}:zalo:zfull`, cause, now - 60_000, now - 60_000, now - 60_000);
  }
  conn.close();
}

describeInBrowser("Thông báo: Zalo followers by message type before sending", () => {
  let browser: Browser;
  let zalo: FakeZalo;
  let running: RunningApp;

  beforeAll(async () => {
    zalo = await startFakeZalo();
    running = await startTestApp(zalo.productEnv(zalo.issueTokens()), new Date());
    seed(running);
    await staffAccount(running, "ha", "department_admin", { name: "Trần Thị Thu Hà" });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await zalo?.stop();
  });

  it("shows per type how many followers, the cost in đồng, and who is skipped for a used quota, then sends by those types (phone)", async () => {
    const { context, page } = await consolePage(browser, "phone");
    await signIn(page, running.url, "ha");
    await page.goto(`${running.url}/admin#/broadcasts`);
    await page.getByRole("link", { name: "Soạn thông báo mới" }).click();
    const panel = page.locator(".count-panel");
    await panel.getByText("Zalo: 3").waitFor();
    const types = panel.locator(".zalo-types");
    await types.getByRole("heading", { name: "Người quan tâm Zalo OA" }).waitFor();
    await types.getByText("Tin tư vấn: 2 người — 1 tin tính phí, 50 đ").waitFor();
    await types.getByText("Tin truyền thông: 1 người — 1 tin tính phí, 250 đ").waitFor();
    await types.getByText("1 người đã nhận đủ lượt tin truyền thông của tháng này nên sẽ được bỏ qua.").waitFor();
    await types.getByText("Chi phí Zalo ước tính: 300 đ").waitFor();
    await panel.getByText("Đã dùng hết lượt tin truyền thông Zalo của tháng này: 1").waitFor();
    await expectNoHorizontalScroll(page);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Written, then sent: the summary and the confirmation say the cost; the report says which type each got.
    await page.getByRole("button", { name: "Tiếp theo" }).click();
    await page.getByLabel("Tiêu đề", { exact: true }).fill("Họp phụ huynh");
    await page.getByLabel("Nội dung (tiếng Việt)").fill("Lịch họp phụ huynh toàn tỉnh vào thứ Bảy.");
    await page.getByRole("button", { name: "Tiếp theo" }).click();
    await page.getByRole("heading", { name: "Bước 3/4: Gửi thử" }).waitFor();
    await page.getByRole("button", { name: "Tiếp theo" }).click();
    await page.getByRole("heading", { name: "Bước 4/4: Lịch gửi" }).waitFor();
    const summary = page.locator("dl.summary");
    await summary.getByText("Chi phí Zalo ước tính").waitFor();
    await summary.getByText("300 đ").waitFor();
    await page.getByRole("button", { name: "Gửi ngay" }).click();
    const dialog = page.locator("dialog[open]");
    await dialog.getByText("Chi phí Zalo ước tính: 300 đ").waitFor();
    await dialog.getByRole("button", { name: "Gửi ngay" }).click();
    await page.locator(".badge", { hasText: "Đã xong" }).waitFor({ timeout: 15_000 });
    const table = page.locator("table.data-table");
    await expect.poll(() => table.getByRole("row", { name: /Zalo · Tin tư vấn.*Đã gửi/ }).count(), { timeout: 10_000 }).toBe(2);
    await table.getByRole("row", { name: /Zalo · Tin truyền thông.*Đã gửi/ }).waitFor();
    await table.getByRole("row", { name: /Zalo.*Bỏ qua.*Đã dùng hết lượt tin truyền thông Zalo của tháng này/ }).waitFor();
    expect(zalo.sentTo("zout").map((m) => [m.type, m.template?.header])).toEqual([["promotion", "Họp phụ huynh"]]);
    expect(zalo.sentTo("zfull")).toEqual([]);
    await context.close();
  });
});
