import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { consolePage, expectNoHorizontalScroll, PASSWORD, signIn, staffAccount } from "./support/console.js";
import { startFakeTelegram, type FakeTelegram } from "./support/fake-telegram.js";
import { adminCall, startTestApp, type RunningApp } from "./support/test-app.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const TUAN_CHAT = 5_550_003;

describeInBrowser("console sign-in in Chromium", () => {
  let browser: Browser;
  let running: RunningApp;
  let fake: FakeTelegram;

  beforeAll(async () => {
    browser = await launchChromium();
    fake = await startFakeTelegram();
    running = await startTestApp({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot });
    const token = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", running.clock.now()).token;
    for (const kind of ["units", "people"]) {
      expect((await adminCall(running.url, "POST", `/api/admin/imports/${kind}`, token, readFileSync(join(FIXTURES, `${kind}-sample.csv`), "utf8"), "text/csv")).status).toBe(200);
    }
    // Lê Minh Tuấn (CB0003) links his own Telegram chat the way staff do: a link code, then /start <code> in the chat.
    const link = await adminCall(running.url, "POST", "/api/admin/people/CB0003/link-code", token);
    fake.pushUpdate(fake.textUpdate(TUAN_CHAT, `/start ${String(link.body.code)}`, { languageCode: "vi" }));
    await fake.waitForSent((m) => m.chatId === TUAN_CHAT, 8000);
    await staffAccount(running, "tuan", "office_admin", { unit: "PGD-VT", personRef: "CB0003", name: "Lê Minh Tuấn" });
    await staffAccount(running, "lan", "department_admin", { name: "Nguyễn Thị Lan" });
    await staffAccount(running, "khoa", "department_admin");
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
    await fake?.stop();
  });

  it("signs in with a password on a phone, in Vietnamese, with no serious accessibility problem", async () => {
    const { context, page } = await consolePage(browser, "smallPhone");
    await page.goto(`${running.url}/admin`);
    await expect(page.getByRole("heading", { name: "Đăng nhập bảng điều khiển" }).isVisible()).resolves.toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await expectNoHorizontalScroll(page);
    await signIn(page, running.url, "lan");
    await expect(page.getByText("Nguyễn Thị Lan · Quản trị Sở").isVisible()).resolves.toBe(true);
    await expectNoHorizontalScroll(page);
    // The session is a cookie: a new tab of the same browser is signed in without pasting anything.
    const second = await context.newPage();
    await second.goto(`${running.url}/admin#/tasks`);
    await second.getByRole("heading", { name: "Nhiệm vụ", exact: true }).waitFor();
    // Signing out ends it for every tab.
    await page.getByRole("button", { name: "Danh mục" }).click();
    await page.getByRole("button", { name: "Đăng xuất" }).click();
    await page.getByRole("heading", { name: "Đăng nhập bảng điều khiển" }).waitFor();
    await second.reload();
    await second.getByRole("heading", { name: "Đăng nhập bảng điều khiển" }).waitFor();
    await context.close();
  });

  it("words a wrong password and the lockout in Vietnamese, and the English toggle words them in English", async () => {
    const { context, page } = await consolePage(browser, "desktop");
    await page.goto(`${running.url}/admin`);
    const attempt = async (password: string): Promise<void> => {
      await page.getByLabel("Tên đăng nhập").fill("khoa");
      await page.getByLabel("Mật khẩu", { exact: true }).fill(password);
      await page.getByRole("button", { name: "Đăng nhập" }).click();
    };
    await attempt("sai mật khẩu rồi");
    await page.getByText("Sai tên đăng nhập hoặc mật khẩu.").waitFor();
    for (let i = 0; i < 4; i++) await attempt("sai mật khẩu rồi");
    await page.getByText(/Tài khoản tạm khoá do nhập sai mật khẩu nhiều lần\. Anh\/chị thử lại sau 15 phút\./).waitFor();
    // Even the right password is refused while the lock lasts.
    await attempt(PASSWORD);
    await page.getByText(/Tài khoản tạm khoá/).waitFor();
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    await page.getByLabel("Login name").fill("khoa");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("The account is locked after too many wrong passwords. Try again in 15 minutes.").waitFor();
    await context.close();
  });

  it("signs in with a one-time code sent to the staff member's own linked Telegram chat", async () => {
    const { context, page } = await consolePage(browser, "phone");
    await page.goto(`${running.url}/admin`);
    await page.getByRole("tab", { name: "Bằng mã qua Telegram/Zalo" }).click();
    await page.getByLabel("Tên đăng nhập").fill("tuan");
    const before = fake.sent.length;
    await page.getByRole("button", { name: "Gửi mã cho tôi" }).click();
    await page.getByText(/Đã gửi mã tới Telegram của anh\/chị\. Mã dùng được đến \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}\./).waitFor();
    const message = await fake.waitForSent((m) => m.chatId === TUAN_CHAT && fake.sent.indexOf(m) >= before, 8000);
    const code = /\b(\d{6})\b/.exec(message.visibleText)?.[1] ?? "";
    await page.getByLabel("Mã 6 chữ số").fill(code === "000000" ? "000001" : "000000");
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.getByText("Mã chưa đúng. Anh/chị còn 4 lần thử.").waitFor();
    await page.getByLabel("Mã 6 chữ số").fill(code);
    await page.getByRole("button", { name: "Đăng nhập" }).click();
    await page.locator("#page-title").waitFor();
    await expect(page.getByText("Lê Minh Tuấn · Quản trị Phòng GD (PGD-VT)").isVisible()).resolves.toBe(true);
    await context.close();
  });

  it("tells someone without a linked chat to use the password, without saying whether the login exists", async () => {
    const { context, page } = await consolePage(browser, "desktop");
    await page.goto(`${running.url}/admin`);
    await page.getByRole("tab", { name: "Bằng mã qua Telegram/Zalo" }).click();
    for (const login of ["lan", "khong-co-ai"]) {
      await page.getByLabel("Tên đăng nhập").fill(login);
      await page.getByRole("button", { name: "Gửi mã cho tôi" }).click();
      await page.getByText("Tài khoản chưa liên kết Telegram hoặc Zalo nên không gửi được mã. Anh/chị đăng nhập bằng mật khẩu.").waitFor();
    }
    await context.close();
  });
});
