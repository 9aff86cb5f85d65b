import { readFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import type { Browser, Page } from "playwright-core";
import QRCode from "qrcode";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SqliteConversationStore } from "../src/db/conversation-store.js";
import { Linking } from "../src/registry/linking.js";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, signIn, staffAccount } from "./support/console.js";
import { adminCall, startTestApp, type RunningApp } from "./support/test-app.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const BOT = "sogd_test_bot";
const ZALO = "https://zalo.me/1234567890";

describeInBrowser("registry screen in Chromium", () => {
  let browser: Browser;
  let running: RunningApp;
  let token: string;

  const unitCount = async (): Promise<number> => ((await adminCall(running.url, "GET", "/api/admin/units", token)).body.units as unknown[]).length;

  /** Chooses a file in the import form and checks it (the dry run). */
  const check = async (page: Page, kind: "Đơn vị (Sở, Phòng, trường)" | "Cán bộ", name: string, content: string): Promise<void> => {
    await page.getByLabel("Loại dữ liệu").selectOption({ label: kind });
    await page.getByLabel("Tệp CSV hoặc Excel").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(content) });
    await page.getByRole("button", { name: "Kiểm tra tệp" }).click();
  };

  beforeAll(async () => {
    browser = await launchChromium();
    running = await startTestApp({ TELEGRAM_BOT_USERNAME: BOT, ZALO_OA_URL: ZALO });
    token = running.app.tokens.create({ name: "test", role: "department_admin" }, "test", running.clock.now()).token;
    await staffAccount(running, "lan", "department_admin", { name: "Nguyễn Thị Lan" });
    await staffAccount(running, "xem", "viewer", { name: "Trần Văn Xem" });
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  it("checks a bad units file (a Vietnamese report, nothing imported), then imports units and people after a dry run", async () => {
    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/registry`);
    await page.getByRole("heading", { name: "Nhập dữ liệu từ tệp" }).waitFor();

    await check(page, "Đơn vị (Sở, Phòng, trường)", "don-vi-loi.csv", "code,name,type,level,parent_code\nSGDDT,Sở GDĐT,department,,\nX1,Trường X,school,cap 4,SGDDT\nX1,Trường X lặp,school,thcs,SGDDT\n");
    await page.getByText("Tệp có 2 lỗi — chưa nhập gì").waitFor();
    const problems = page.getByRole("table", { name: "Các lỗi của tệp" });
    await expect(problems.getByRole("row").nth(1).innerText()).resolves.toMatch(/^3\s+Cấp học\s+Không rõ cấp học “cap 4” \(Mầm non, Tiểu học, THCS, THPT hoặc GDTX\)\.$/);
    await expect(problems.getByRole("row").nth(2).innerText()).resolves.toMatch(/^4\s+Mã đơn vị\s+“X1” bị trùng \(đã có ở dòng 3\)\.$/);
    await expect(page.getByRole("button", { name: "Nhập dữ liệu" }).count()).resolves.toBe(0);
    expect(await unitCount()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A file that is no spreadsheet at all is refused whole, in words.
    await page.getByLabel("Tệp CSV hoặc Excel").setInputFiles({ name: "hong.xlsx", mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buffer: Buffer.concat([Buffer.from("PK\u0003\u0004"), Buffer.alloc(2000, 7)]) });
    await page.getByRole("button", { name: "Kiểm tra tệp" }).click();
    await page.getByText(/^Dạ, tệp không đọc được như một bảng tính Excel \(\.xlsx\) ạ.*\. Chưa nhập gì\.$/).waitFor();
    expect(await unitCount()).toBe(0);

    // A good file: the dry run says what would change and writes nothing; the import then does it.
    await check(page, "Đơn vị (Sở, Phòng, trường)", "don-vi.csv", readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"));
    await page.getByText("Tệp hợp lệ (chưa ghi gì). Nếu nhập: thêm mới 19, cập nhật 0, giữ nguyên 0.").waitFor();
    expect(await unitCount()).toBe(0);
    await page.getByRole("button", { name: "Nhập dữ liệu" }).click();
    await page.getByText("Đã nhập đơn vị (sở, phòng, trường): thêm mới 19, cập nhật 0, giữ nguyên 0.").waitFor();
    expect(await unitCount()).toBe(19);
    // The new units are offered in the list's filter at once.
    await page.getByLabel("Đơn vị", { exact: true }).locator("option", { hasText: "Trường Mầm non Sao Mai" }).waitFor({ state: "attached" });

    await check(page, "Cán bộ", "can-bo.csv", readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"));
    await page.getByText(/^Tệp hợp lệ \(chưa ghi gì\)\. Nếu nhập: thêm mới \d+/).waitFor();
    await page.getByRole("button", { name: "Nhập dữ liệu" }).click();
    await page.getByText(/^Đã nhập cán bộ: thêm mới \d+, cập nhật 0, giữ nguyên 0\.$/).waitFor();
    // The list is read again: the imported people appear, with contact details only as present or absent.
    const people = page.getByRole("table", { name: "Danh sách cán bộ" });
    const oanh = people.getByRole("row", { name: /Bùi Thị Kim Oanh/ });
    await oanh.waitFor();
    await expect(oanh.innerText()).resolves.toMatch(/Trường Mầm non Sao Mai\s+Phụ trách CNTT\s+Có SĐT · Có email\s+Chưa liên kết/);
    await expect(people.innerText()).resolves.not.toContain("0908 123 002");
    await expect(people.innerText()).resolves.not.toContain("btkoanh@");
    await context.close();
  }, 60_000);

  it("issues a link code, and prints a school's link letter with the code and a QR code of the deep link", async () => {
    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/registry`);
    await page.getByLabel("Tìm theo họ tên hoặc mã cán bộ").fill("bui thi kim");
    await page.getByRole("button", { name: "Cấp mã liên kết cho Bùi Thị Kim Oanh" }).click();
    const issued = page.getByRole("status").filter({ hasText: "Mã liên kết của Bùi Thị Kim Oanh" });
    await issued.waitFor();
    const text = await issued.innerText();
    const code = /Mã: ([A-Z2-9]{8})/.exec(text)?.[1];
    expect(code).toBeDefined();
    expect(text).toMatch(/Dùng một lần, hết hạn lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}\./);
    await expect(issued.getByRole("link", { name: "Mở trên Telegram" }).getAttribute("href")).resolves.toBe(`https://t.me/${BOT}?start=${code}`);
    await expect(issued.getByRole("link", { name: "Mở Zalo OA" }).getAttribute("href")).resolves.toBe(ZALO);

    // The letter of the school, for its IT lead.
    await page.getByLabel("Trường", { exact: true }).selectOption({ label: "Trường Mầm non Sao Mai" });
    await page.getByRole("link", { name: "Mở thư liên kết" }).click();
    await page.getByRole("heading", { name: "Thư liên kết — Trường Mầm non Sao Mai" }).waitFor();
    await page.getByRole("button", { name: "Cấp mã và tạo thư" }).click();
    const letter = page.getByRole("article", { name: "Kính gửi: Bùi Thị Kim Oanh" });
    await letter.waitFor();
    await expect(page.getByRole("article").count()).resolves.toBe(1);
    const letterText = await letter.innerText();
    const letterCode = /Mã liên kết của anh\/chị\s+([A-Z2-9]{8})/.exec(letterText)?.[1] ?? "";
    expect(letterCode).toMatch(/^[A-Z2-9]{8}$/);
    expect(letterCode).not.toBe(code); // a new code replaces the one issued above
    expect(letterText).toContain("Phụ trách CNTT — Trường Mầm non Sao Mai");
    expect(letterText).toMatch(/Mã dùng một lần, hết hạn lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}\./);
    expect(letterText).toContain(`tìm @${BOT}, gửi tin nhắn: /link ${letterCode}`);
    expect(letterText).toContain(`Dùng Zalo: mở ${ZALO}, bấm “Quan tâm”, rồi gửi tin nhắn: /link ${letterCode}`);
    // The QR image is the SVG QR code of the Telegram deep link with this very code.
    const qr = letter.getByRole("img", { name: `Mã QR mở Trợ lý trên Telegram kèm mã liên kết ${letterCode}` });
    const src = (await qr.getAttribute("src")) ?? "";
    expect(src.startsWith("data:image/svg+xml;base64,")).toBe(true);
    const svg = Buffer.from(src.slice("data:image/svg+xml;base64,".length), "base64").toString("utf8");
    expect(svg).toBe(await QRCode.toString(`https://t.me/${BOT}?start=${letterCode}`, { type: "svg", errorCorrectionLevel: "M", margin: 2 }));
    // The browser draws it (the page's CSP allows data: images).
    await expect(qr.evaluate((img: { decode(): Promise<void>; naturalWidth: number }) => img.decode().then(() => img.naturalWidth > 0))).resolves.toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // "In thư" prints; on paper only the letters show, without the console's frame.
    await page.evaluate("window.printed = 0; window.print = () => { window.printed += 1; }");
    await page.getByRole("button", { name: "In thư" }).click();
    await expect(page.evaluate("window.printed")).resolves.toBe(1);
    await page.emulateMedia({ media: "print" });
    await expect(page.locator(".topbar").isVisible()).resolves.toBe(false);
    await expect(page.getByRole("button", { name: "In thư" }).isVisible()).resolves.toBe(false);
    await expect(letter.isVisible()).resolves.toBe(true);
    await context.close();
  }, 60_000);

  it("shows who is linked on which chat, leaves them out of the letter, and unlinks after a confirmation", async () => {
    const now = running.clock.now();
    const issued = await adminCall(running.url, "POST", "/api/admin/people/CB0008/link-code", token);
    const chat = new SqliteConversationStore(running.app.database.db).touchUser("telegram", "777001", now);
    expect(new Linking(running.app.database.db).redeem(String(issued.body.code), "telegram", "777001", chat.id, now).ok).toBe(true);

    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/registry/letter/MN-SAOMAI-VT`);
    await page.getByRole("button", { name: "Cấp mã và tạo thư" }).click();
    await page.getByText("Đã liên kết, không cấp mã: Nguyễn Thị Hồng Nhung.").waitFor();
    await expect(page.getByRole("article", { name: "Kính gửi: Nguyễn Thị Hồng Nhung" }).count()).resolves.toBe(0);

    await page.getByRole("link", { name: "Quay lại danh sách" }).click();
    await page.getByLabel("Tìm theo họ tên hoặc mã cán bộ").fill("Hồng Nhung");
    const row = page.getByRole("row", { name: /Nguyễn Thị Hồng Nhung/ });
    await expect(row.getByRole("cell").nth(4).innerText()).resolves.toBe("Telegram");
    await page.getByRole("button", { name: "Huỷ liên kết của Nguyễn Thị Hồng Nhung" }).click();
    const dialog = page.getByRole("dialog", { name: "Huỷ liên kết của Nguyễn Thị Hồng Nhung?" });
    await dialog.getByRole("button", { name: "Huỷ liên kết" }).click();
    await page.getByText("Đã huỷ liên kết của Nguyễn Thị Hồng Nhung.").waitFor();
    // The list reloads after the success message: wait for it rather than reading once.
    await expect.poll(() => row.getByRole("cell").nth(4).innerText(), { timeout: 10_000 }).toBe("Chưa liên kết");
    await expect(row.getByRole("button", { name: /Huỷ liên kết/ }).count()).resolves.toBe(0);
    await context.close();
  }, 60_000);

  it("shows a viewer the lists without upload, issue or unlink buttons, on a phone without horizontal scrolling", async () => {
    const { context, page } = await consolePage(browser, "smallPhone");
    await signIn(page, running.url, "xem");
    await page.goto(`${running.url}/admin#/registry`);
    await page.getByRole("heading", { name: "Cán bộ", exact: true }).waitFor();
    await page.getByText("Bùi Thị Kim Oanh").first().waitFor();
    await expect(page.getByRole("button", { name: "Kiểm tra tệp" }).count()).resolves.toBe(0);
    await expect(page.getByRole("button", { name: /Cấp mã liên kết/ }).count()).resolves.toBe(0);
    await expect(page.getByRole("button", { name: /Huỷ liên kết/ }).count()).resolves.toBe(0);
    await expect(page.getByRole("link", { name: "Mở thư liên kết" }).count()).resolves.toBe(0);
    await expectNoHorizontalScroll(page);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  }, 60_000);

  it("fits a phone for a Department admin too: import form, people cards, a link letter", async () => {
    const { context, page } = await consolePage(browser, "phone");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/registry`);
    await page.getByText("Bùi Thị Kim Oanh").first().waitFor();
    await expectNoHorizontalScroll(page);
    // An Excel workbook with Vietnamese headers: one person's phone changes.
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet("Cán bộ");
    sheet.addRow(["Mã cán bộ", "Họ và tên", "Chức vụ", "Mã đơn vị", "Số điện thoại"]);
    sheet.addRow(["CB0010", "Trương Văn Phúc", "Hiệu trưởng", "TH-THANGNHAT-VT", "0908 999 111"]);
    await page.getByLabel("Loại dữ liệu").selectOption({ label: "Cán bộ" });
    await page.getByLabel("Tệp CSV hoặc Excel").setInputFiles({ name: "can-bo.xlsx", mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buffer: Buffer.from(await wb.xlsx.writeBuffer()) });
    await page.getByRole("button", { name: "Kiểm tra tệp" }).click();
    await page.getByText("Tệp hợp lệ (chưa ghi gì). Nếu nhập: thêm mới 0, cập nhật 1, giữ nguyên 0.").waitFor();
    await page.getByRole("button", { name: "Nhập dữ liệu" }).click();
    await page.getByText("Đã nhập cán bộ: thêm mới 0, cập nhật 1, giữ nguyên 0.").waitFor();
    await expectNoHorizontalScroll(page);

    // In English, the same report is worded in English.
    await page.getByRole("button", { name: "English" }).click();
    await page.getByLabel("What to import").selectOption({ label: "Units (Department, offices, schools)" });
    await page.getByLabel("CSV or Excel file").setInputFiles({ name: "units.csv", mimeType: "text/csv", buffer: Buffer.from("code,name,type,level,parent_code\nX1,Trường X,school,cap 4,SGDDT\n") });
    await page.getByRole("button", { name: "Check the file" }).click();
    await page.getByText("The file has 1 problem — nothing was imported").waitFor();
    await page.getByRole("cell", { name: "Unknown level “cap 4” (mam_non, tieu_hoc, thcs, thpt or gdtx)." }).waitFor();
    await expectNoHorizontalScroll(page);
    await page.getByRole("button", { name: "Tiếng Việt" }).click();
    await page.getByRole("heading", { name: "Đơn vị & cán bộ" }).waitFor();
    await page.goto(`${running.url}/admin#/registry/letter/TH-THANGNHAT-VT`);
    await page.getByRole("button", { name: "Cấp mã và tạo thư" }).click();
    await page.getByRole("article").first().waitFor();
    await expectNoHorizontalScroll(page);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  }, 60_000);
});
