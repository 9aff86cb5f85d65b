import ExcelJS from "exceljs";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROADCAST_ERROR_CODES } from "../src/http/admin/openapi-parts/broadcasts.js";
import { importPeople } from "../src/registry/people-import.js";
import { importUnits } from "../src/registry/units-import.js";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, signIn, staffAccount } from "./support/console.js";
import { startFakeTelegram, type FakeTelegram } from "./support/fake-telegram.js";
import { adminCall, startTestApp, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const FIXTURES = join(import.meta.dirname, "fixtures");

/**
 * Chat users as the registry and /link leave them: a user, its chat, the unit it belongs to, and the person it
 * is linked to. Telegram is configured on the test server; Zalo is not.
 */
function seed(running: RunningApp): void {
  const now = running.clock.now();
  expect(importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
  expect(importPeople(running.app.database, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
  const conn = connectTestDatabase(running.dbPath);
  const t = now.getTime();
  const user = (id: number, role: string, subscribed: boolean, channel: string, address: string, unit: string, ref?: string): void => {
    conn.prepare("INSERT INTO users (id, role, subscribed, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)").run(id, role, subscribed ? 1 : 0, t, t);
    conn.prepare("INSERT INTO channel_addresses (user_id, channel, address, last_inbound_at, created_at) VALUES (?, ?, ?, ?, ?)").run(id, channel, address, t, t);
    conn.prepare("INSERT INTO user_units (user_id, unit_id, created_at) VALUES (?, (SELECT id FROM units WHERE code = ?), ?)").run(id, unit, t);
    if (ref) conn.prepare("UPDATE people SET user_id = ?, linked_at = ? WHERE ref = ?").run(id, t, ref);
  };
  user(501, "it_lead", true, "telegram", "501", "MN-SAOMAI-VT", "CB0009"); // Bùi Thị Kim Oanh
  user(502, "it_lead", true, "telegram", "502", "TH-THANGNHAT-VT", "CB0011"); // Lý Thị Thanh Tâm
  user(503, "it_lead", false, "telegram", "503", "THCS-HKN-VT", "CB0013"); // unsubscribed
  user(505, "it_lead", true, "zalo", "zalo-505", "THCS-VANLANG-VT", "CB0015"); // Zalo is not configured here
  user(504, "subscriber", true, "telegram", "504", "THPT-VT"); // a parent following a THPT school
  user(900, "department_staff", false, "telegram", "900", "SGDDT", "CB0002"); // Trần Thị Thu Hà, the staff member herself
  conn.close();
}

async function nextStep(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Tiếp theo" }).click();
}

async function noSeriousAxe(page: Page): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

describeInBrowser("Thông báo (broadcasts) in the console", () => {
  let browser: Browser;
  let fake: FakeTelegram;
  let running: RunningApp;

  beforeAll(async () => {
    fake = await startFakeTelegram();
    // The real time: the browser's "is it in the past" check and the server's agree.
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot }, new Date());
    seed(running);
    await staffAccount(running, "ha", "department_admin", { name: "Trần Thị Thu Hà", personRef: "CB0002" });
    await staffAccount(running, "nolink", "department_admin", { name: "Cán bộ chưa liên kết" });
    await staffAccount(running, "xem", "viewer", { name: "Thanh tra Sở" });
    await staffAccount(running, "phongbr", "office_admin", { name: "Phòng GD Bà Rịa", unit: "PGD-BR" });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await fake?.stop();
  });

  it("composes, previews, tests to my own chat and sends to the IT leads of one office, then watches it reach done (desktop)", async () => {
    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "ha");
    await page.goto(`${running.url}/admin#/broadcasts`);
    await page.getByRole("link", { name: "Soạn thông báo mới" }).click();
    await page.getByRole("heading", { name: "Bước 1/4: Người nhận" }).waitFor();

    // 1. Recipients: a role and an office picked by name from the tree, with a live count and reasons.
    await page.getByRole("checkbox", { name: "Phụ trách CNTT" }).check();
    await page.getByLabel("Tìm đơn vị").fill("vung tau");
    await page.getByRole("checkbox", { name: /^Phòng GDĐT Thành phố Vũng Tàu/ }).check();
    await expect(page.getByRole("listitem").filter({ hasText: "Phòng GDĐT Thành phố Vũng Tàu" }).getByRole("button", { name: "Bỏ Phòng GDĐT Thành phố Vũng Tàu" }).isVisible()).resolves.toBe(true);
    await page.locator(".audience-sentence", { hasText: "Phụ trách CNTT, các đơn vị thuộc Phòng GDĐT Thành phố Vũng Tàu, qua Telegram và Zalo" }).waitFor();
    const panel = page.locator(".count-panel");
    await panel.getByText("Telegram: 2").waitFor();
    await expect(panel.locator(".count-number").textContent()).resolves.toBe("2");
    await panel.getByText("2 người trong nhóm này sẽ không nhận được:").waitFor();
    await panel.getByText("Chưa đăng ký nhận tin hoặc đã huỷ đăng ký: 1").waitFor();
    await panel.getByText("Kênh chưa được cấu hình trên máy chủ: 1").waitFor();
    await noSeriousAxe(page);
    await nextStep(page);

    // 2. Content with the toolbar, and the message as Telegram and Zalo will show it.
    await page.getByRole("heading", { name: "Bước 2/4: Nội dung" }).waitFor();
    await page.getByLabel("Tiêu đề", { exact: true }).fill("Báo cáo an toàn thông tin");
    const text = page.getByLabel("Nội dung (tiếng Việt)");
    await text.fill("Kính gửi các thầy cô phụ trách CNTT. Hạn nộp: ");
    await page.getByRole("button", { name: "In đậm" }).click();
    await expect(text.inputValue()).resolves.toBe("Kính gửi các thầy cô phụ trách CNTT. Hạn nộp: **chữ đậm**");
    await text.fill("Kính gửi các thầy cô phụ trách CNTT. Hạn nộp: **thứ Sáu 11/12**.\n\n- Xem [hướng dẫn](https://so.gd.vn/hd)");
    const telegram = page.locator(".preview-telegram .bubble");
    await telegram.locator("b", { hasText: "thứ Sáu 11/12" }).waitFor();
    await telegram.locator("b", { hasText: "Báo cáo an toàn thông tin" }).waitFor();
    await expect(telegram.getByRole("link", { name: "hướng dẫn" }).getAttribute("href")).resolves.toBe("https://so.gd.vn/hd");
    await page.locator(".preview-zalo .bubble", { hasText: "hướng dẫn (https://so.gd.vn/hd)" }).waitFor();
    await expect(page.locator(".preview-zalo .bubble b").count()).resolves.toBe(0); // Zalo is plain text
    await noSeriousAxe(page);
    await nextStep(page);

    // 3. A test to my own linked Telegram chat only.
    await page.getByRole("heading", { name: "Bước 3/4: Gửi thử" }).waitFor();
    await page.getByRole("button", { name: "Gửi thử tới chat của tôi" }).click();
    await page.getByText("Đã gửi bản thử tới Telegram của anh/chị.").waitFor();
    const tests = fake.sent.filter((m) => m.visibleText.includes("Báo cáo an toàn thông tin"));
    expect(tests.map((m) => m.chatId)).toEqual([900]);
    await noSeriousAxe(page);
    await nextStep(page);

    // 4. A time already past is refused; then "send now", confirmed with the count and the audience in words.
    await page.getByRole("heading", { name: "Bước 4/4: Lịch gửi" }).waitFor();
    await page.getByRole("radio", { name: "Hẹn giờ gửi" }).check();
    const yesterday = new Date(Date.now() - 86_400_000 + 7 * 3_600_000);
    const dd = (n: number): string => String(n).padStart(2, "0");
    await page.getByLabel("Ngày gửi").fill(`${dd(yesterday.getUTCDate())}/${dd(yesterday.getUTCMonth() + 1)}/${yesterday.getUTCFullYear()}`);
    await page.getByLabel("Giờ gửi (24 giờ, giờ Việt Nam)").fill("08:00");
    await page.getByText("Thời điểm này đã qua. Anh/chị chọn thời điểm sau bây giờ.").waitFor();
    await expect(page.getByRole("button", { name: "Hẹn giờ gửi" }).isDisabled()).resolves.toBe(true);
    await page.getByRole("radio", { name: "Gửi ngay" }).check();
    await noSeriousAxe(page);
    await page.getByRole("button", { name: "Gửi ngay" }).click();
    const dialog = page.locator("dialog[open]");
    await dialog.getByText("Gửi tới 2 người nhận: Phụ trách CNTT, các đơn vị thuộc Phòng GDĐT Thành phố Vũng Tàu, qua Telegram và Zalo.").waitFor();
    await noSeriousAxe(page);
    await dialog.getByRole("button", { name: "Gửi ngay" }).click();

    // 5. The report: what the server said, live progress to done, names and units instead of chat ids.
    await page.getByText("Đã tạo thông báo và đang gửi tới 2 người nhận.").waitFor();
    await page.locator(".badge", { hasText: "Đã xong" }).waitFor({ timeout: 15_000 });
    const stat = (label: string) => page.locator(".report-stats .stat", { hasText: label }).locator(".stat-value");
    await expect.poll(() => stat("Đã gửi").textContent(), { timeout: 10_000 }).toBe("2");
    await expect(stat("Bỏ qua").textContent()).resolves.toBe("2");
    await expect(stat("Đang chờ gửi").textContent()).resolves.toBe("0");
    const table = page.locator("table.data-table");
    await table.getByRole("row", { name: /Bùi Thị Kim Oanh.*Trường Mầm non Sao Mai.*Telegram.*Đã gửi/ }).waitFor();
    await table.getByRole("row", { name: /Châu Thị Diễm.*Trường THCS Văn Lang.*Zalo.*Bỏ qua.*Kênh chưa được cấu hình/ }).waitFor();
    await expect(table.textContent()).resolves.not.toContain("zalo-505");
    const delivered = fake.sent.filter((m) => m.visibleText.includes("Báo cáo an toàn thông tin")).map((m) => m.chatId);
    expect(delivered.sort()).toEqual([501, 502, 900]);
    await expect(page.getByRole("button", { name: "Huỷ phần chưa gửi" }).count()).resolves.toBe(0); // nothing left to cancel
    await noSeriousAxe(page);

    // 6. The list words the status in Vietnamese.
    await page.getByRole("link", { name: "← Danh sách thông báo" }).first().click();
    const row = page.getByRole("row", { name: /Báo cáo an toàn thông tin/ });
    await row.getByText("Đã xong").waitFor();
    await expect(row.textContent()).resolves.not.toMatch(/sending|done/);
    await noSeriousAxe(page);
    await context.close();
  });

  it("warns clearly when nobody can receive it and offers no send, on a 360 px phone without sideways scrolling", async () => {
    const { context, page } = await consolePage(browser, "smallPhone");
    await signIn(page, running.url, "ha");
    await page.goto(`${running.url}/admin#/broadcasts/new`);
    await page.getByRole("heading", { name: "Bước 1/4: Người nhận" }).waitFor();
    await page.getByRole("checkbox", { name: "Lãnh đạo nhà trường" }).check();
    await page.getByLabel("Tìm đơn vị").fill("Vũng Tàu");
    await page.getByRole("checkbox", { name: /^Phòng GDĐT Thành phố Vũng Tàu/ }).check();
    await page.getByText("Chưa có ai nhận được thông báo này.", { exact: false }).waitFor();
    // The four school leaders of the office's schools are in the registry but have no chat linked.
    await page.getByText("4 cán bộ trong danh bạ thuộc nhóm này chưa liên kết Telegram hoặc Zalo nên không nhận được.").waitFor();
    await expectNoHorizontalScroll(page);
    await noSeriousAxe(page);
    await nextStep(page);
    await page.getByLabel("Tiêu đề", { exact: true }).fill("Họp lãnh đạo trường");
    await page.getByLabel("Nội dung (tiếng Việt)").fill("Họp lúc **8:00** thứ Hai.");
    await page.locator(".preview-telegram .bubble b", { hasText: "8:00" }).waitFor();
    await expectNoHorizontalScroll(page);
    await nextStep(page);
    await expectNoHorizontalScroll(page);
    await nextStep(page);
    await page.getByRole("heading", { name: "Bước 4/4: Lịch gửi" }).waitFor();
    await page.getByText("Chưa có ai nhận được thông báo này.", { exact: false }).waitFor();
    await expect(page.getByRole("button", { name: "Gửi ngay" }).isDisabled()).resolves.toBe(true);
    await expectNoHorizontalScroll(page);
    await noSeriousAxe(page);
    await context.close();
  });

  it("says plainly that a test cannot be sent when no chat is linked to the staff member", async () => {
    const { context, page } = await consolePage(browser, "phone");
    await signIn(page, running.url, "nolink");
    await page.goto(`${running.url}/admin#/broadcasts/new`);
    await page.getByRole("checkbox", { name: "Phụ trách CNTT" }).check();
    await nextStep(page);
    await page.getByLabel("Tiêu đề", { exact: true }).fill("Thử");
    await page.getByLabel("Nội dung (tiếng Việt)").fill("Nội dung thử");
    await page.locator(".preview-telegram .bubble", { hasText: "Nội dung thử" }).waitFor();
    await nextStep(page);
    await page.getByRole("button", { name: "Gửi thử tới chat của tôi" }).click();
    await page.getByText("Tài khoản của anh/chị chưa liên kết Telegram hoặc Zalo nên chưa gửi thử được.", { exact: false }).waitFor();
    await expectNoHorizontalScroll(page);
    await context.close();
  });

  it("shows a viewer the list and reports but no compose, cancel or test buttons (phone)", async () => {
    // A scheduled broadcast, which a writer could cancel.
    const token = running.app.tokens.create({ name: "lịch", role: "department_admin" }, "test", running.clock.now()).token;
    const later = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const created = await adminCall(running.url, "POST", "/api/admin/broadcasts", token, { title: "Lịch nghỉ Tết", text: { vi: "Nghỉ từ 26/01" }, sendAt: later });
    expect(created.status).toBe(201);
    const { context, page } = await consolePage(browser, "phone");
    await signIn(page, running.url, "xem");
    await page.goto(`${running.url}/admin#/broadcasts`);
    const row = page.getByRole("row", { name: /Lịch nghỉ Tết/ });
    await row.getByText("Đã hẹn giờ").waitFor();
    await expect(page.getByRole("link", { name: "Soạn thông báo mới" }).count()).resolves.toBe(0);
    await expectNoHorizontalScroll(page);
    await noSeriousAxe(page);
    await row.getByRole("link", { name: "Lịch nghỉ Tết" }).click();
    await page.getByRole("heading", { name: "Lịch nghỉ Tết" }).waitFor();
    await page.getByRole("button", { name: "Tải danh sách (Excel)" }).waitFor();
    await expect(page.getByRole("button", { name: "Huỷ phần chưa gửi" }).count()).resolves.toBe(0);
    await expectNoHorizontalScroll(page);
    await noSeriousAxe(page);
    // A report with recipients, on the phone: cards, names and units, Vietnamese words.
    const sent = await adminCall(running.url, "POST", "/api/admin/broadcasts", token, { title: "Kiểm tra thiết bị", text: { vi: "Kiểm tra máy chủ" }, audience: { roles: ["it_lead"], units: ["PGD-VT"] } });
    await page.goto(`${running.url}/admin#/broadcasts/${String(sent.body.id)}`);
    await page.locator(".badge", { hasText: "Đã xong" }).waitFor({ timeout: 15_000 });
    await page.locator("table.data-table td", { hasText: "Lý Thị Thanh Tâm" }).waitFor();
    await page.locator("table.data-table td", { hasText: "Trường Tiểu học Thắng Nhất" }).waitFor();
    await expect(page.getByRole("button", { name: "Huỷ phần chưa gửi" }).count()).resolves.toBe(0);
    await expectNoHorizontalScroll(page);
    await noSeriousAxe(page);
    await page.screenshot({ path: "/tmp/shot-viewer-report.png", fullPage: true });
    await page.goto(`${running.url}/admin#/broadcasts/new`);
    await page.getByText("Tài khoản xem báo cáo không soạn hay gửi được thông báo.").waitFor();
    await expect(page.getByRole("button", { name: "Gửi thử tới chat của tôi" }).count()).resolves.toBe(0);
    await context.close();
  });

  it("tests a scheduled broadcast to my own chat and cancels it, saying that nothing was sent (phone)", async () => {
    const token = running.app.tokens.create({ name: "huỷ", role: "department_admin" }, "test", running.clock.now()).token;
    const later = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const created = await adminCall(running.url, "POST", "/api/admin/broadcasts", token, { title: "Họp sẽ huỷ", text: { vi: "Họp giao ban" }, sendAt: later });
    const { context, page } = await consolePage(browser, "phone");
    await signIn(page, running.url, "ha");
    await page.goto(`${running.url}/admin#/broadcasts/${String(created.body.id)}`);
    await page.getByRole("heading", { name: "Họp sẽ huỷ" }).waitFor();
    await page.getByRole("button", { name: "Gửi thử tới chat của tôi" }).click();
    await page.getByText("Đã gửi bản thử tới Telegram của anh/chị.").waitFor();
    expect(fake.sent.filter((m) => m.visibleText.includes("Họp sẽ huỷ")).map((m) => m.chatId)).toEqual([900]);
    await page.getByRole("button", { name: "Huỷ phần chưa gửi" }).click();
    const dialog = page.locator("dialog[open]");
    await dialog.getByText(/Thông báo hẹn gửi lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2} sẽ không được gửi cho ai\./).waitFor();
    await noSeriousAxe(page);
    await dialog.getByRole("button", { name: "Huỷ phần chưa gửi" }).click();
    await page.getByText("Đã huỷ thông báo hẹn giờ: không tin nào được gửi.").waitFor();
    await page.locator(".badge", { hasText: "Đã huỷ" }).waitFor();
    await expect(page.getByRole("button", { name: "Huỷ phần chưa gửi" }).count()).resolves.toBe(0);
    await expectNoHorizontalScroll(page);
    await context.close();
  });

  it("lets an office admin pick only its own office's units", async () => {
    const { context, page } = await consolePage(browser, "phone");
    await signIn(page, running.url, "phongbr");
    await page.goto(`${running.url}/admin#/broadcasts/new`);
    await page.getByRole("checkbox", { name: /^Phòng GDĐT Thành phố Bà Rịa/ }).waitFor();
    await page.getByLabel("Tìm đơn vị").fill("vung tau");
    await page.getByText("Không có đơn vị nào khớp.").waitFor();
    await page.getByLabel("Tìm đơn vị").fill("Kim Đồng");
    await page.getByRole("checkbox", { name: /^Trường Tiểu học Kim Đồng/ }).check();
    await page.locator(".audience-sentence", { hasText: "Mọi người, Trường Tiểu học Kim Đồng, qua Telegram và Zalo" }).waitFor();
    const names = await page.locator(".unit-list label").allTextContents();
    expect(names.length).toBeGreaterThan(0);
    await page.getByLabel("Tìm đơn vị").fill("");
    const all = await page.locator(".unit-list label").allTextContents();
    expect(all.some((n) => n.includes("Vũng Tàu") || n.includes("Xuyên Mộc"))).toBe(false);
    await expectNoHorizontalScroll(page);
    await noSeriousAxe(page);
    await context.close();
  });
});

describe("the broadcast report's API", () => {
  let running: RunningApp;
  let fake: FakeTelegram;
  let token: string;

  beforeAll(async () => {
    fake = await startFakeTelegram();
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot }, new Date());
    seed(running);
    token = running.app.tokens.create({ name: "Phòng TCCB-CNTT", role: "department_admin" }, "test", running.clock.now()).token;
  });
  afterAll(async () => {
    await running?.stop();
    await fake?.stop();
  });

  it("explains who cannot receive an audience and why", async () => {
    const res = await adminCall(running.url, "POST", "/api/admin/audiences/count", token, { audience: { roles: ["it_lead"], units: ["PGD-VT"] } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 4, deliverable: 2, byChannel: { telegram: 2 }, notDeliverable: { not_subscribed: 1, channel_off: 1 }, withoutChat: 0 });
    const leaders = await adminCall(running.url, "POST", "/api/admin/audiences/count", token, { audience: { roles: ["school_leader"], units: ["PGD-VT"] } });
    expect(leaders.body).toMatchObject({ total: 0, deliverable: 0, withoutChat: 4 });
  });

  it("answers bad input with stable codes and the values their wording needs", async () => {
    const unknown = await adminCall(running.url, "POST", "/api/admin/broadcasts/preview", token, { title: "T", text: { vi: "x" }, audience: { units: ["NO-SUCH"] } });
    expect(unknown.body).toMatchObject({ code: "unknown_unit", field: "audience.units[0]", unit: "NO-SUCH" });
    const empty = await adminCall(running.url, "POST", "/api/admin/broadcasts", token, { title: "  ", text: { vi: "x" } });
    expect(empty.body).toMatchObject({ code: "title_required", field: "title" });
    const past = await adminCall(running.url, "POST", "/api/admin/broadcasts", token, { title: "T", text: { vi: "x" }, sendAt: "2020-01-01T08:00" });
    expect(past.body).toMatchObject({ code: "send_at_past", field: "sendAt" });
    const noChat = await adminCall(running.url, "POST", "/api/admin/broadcasts/test", token, { title: "T", text: { vi: "x" } });
    expect(noChat.status).toBe(409);
    expect(noChat.body.code).toBe("test_no_linked_chat");
  });

  it("words every error code the broadcast endpoints answer, in Vietnamese and in English", () => {
    for (const lang of ["vi", "en"]) {
      const own = JSON.parse(readFileSync(join(import.meta.dirname, "..", "locales", lang, "console-broadcasts.json"), "utf8")) as { errors: Record<string, string> };
      const shared = JSON.parse(readFileSync(join(import.meta.dirname, "..", "locales", lang, "console.json"), "utf8")) as { errors: Record<string, string> };
      for (const code of [...BROADCAST_ERROR_CODES, "unknown_unit", "unknown_field", "not_found", "forbidden", "platform_refused", "invalid"]) {
        expect(own.errors[code] ?? shared.errors[code], `${lang}: errors.${code}`).toBeTruthy();
      }
    }
  });

  it("exports the recipients as an Excel file with Vietnamese headers, names, units and status words", async () => {
    const created = await adminCall(running.url, "POST", "/api/admin/broadcasts", token, { title: "Xuất Excel", text: { vi: "Nội dung" }, audience: { roles: ["it_lead"], units: ["PGD-VT"] } });
    expect(created.body).toMatchObject({ recipients: 4, deliverable: 2 });
    const id = String(created.body.id);
    const deadline = Date.now() + 10_000;
    let status = "";
    while (status !== "done" && Date.now() < deadline) {
      status = String((await adminCall(running.url, "GET", `/api/admin/broadcasts/${id}`, token)).body.status);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe("done");
    const res = await fetch(`${running.url}/api/admin/broadcasts/${id}/deliveries.xlsx`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("spreadsheetml");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const sheet = workbook.getWorksheet("Người nhận");
    expect(sheet).toBeDefined();
    const rows: string[][] = [];
    sheet!.eachRow((row) => rows.push(Array.from({ length: 9 }, (_, i) => String((row.values as unknown[])[i + 1] ?? ""))));
    expect(rows[0]).toEqual(["STT", "Họ tên", "Đơn vị", "Vai trò", "Kênh", "Trạng thái", "Lý do", "Số lần gửi", "Thời điểm (giờ Việt Nam)"]);
    expect(rows).toHaveLength(5);
    const oanh = rows.find((r) => r[1] === "Bùi Thị Kim Oanh");
    expect(oanh?.slice(2, 7)).toEqual(["Trường Mầm non Sao Mai", "Phụ trách CNTT", "Telegram", "Đã gửi", ""]);
    expect(oanh?.[8]).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    const diem = rows.find((r) => r[1] === "Châu Thị Diễm");
    expect(diem?.slice(4, 7)).toEqual(["Zalo", "Bỏ qua", "Kênh chưa được cấu hình"]);
    const page = await adminCall(running.url, "GET", `/api/admin/broadcasts/${id}/deliveries?status=sent`, token);
    expect(page.body.total).toBe(2);
    expect((page.body.deliveries as { name: string }[]).map((d) => d.name).sort()).toEqual(["Bùi Thị Kim Oanh", "Lý Thị Thanh Tâm"]);
  });
});
