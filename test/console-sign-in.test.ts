import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, PASSWORD, signIn, staffAccount } from "./support/console.js";
import { startTestApp, type RunningApp } from "./support/test-app.js";

describeInBrowser("console sign-in in Chromium", () => {
  let browser: Browser;
  let running: RunningApp;

  beforeAll(async () => {
    browser = await launchChromium();
    running = await startTestApp();
    await staffAccount(running, "lan", "department_admin", { name: "Nguyễn Thị Lan" });
    await staffAccount(running, "khoa", "department_admin");
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
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
    await second.getByRole("heading", { name: "Nhiệm vụ" }).waitFor();
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
});
