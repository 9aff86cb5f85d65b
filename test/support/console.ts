import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import { PASSWORD } from "./staff-account.js";

export { PASSWORD, staffAccount } from "./staff-account.js";

/** Phone and desktop sizes the console is tested at. */
export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  smallPhone: { width: 360, height: 640 },
  desktop: { width: 1280, height: 800 },
} as const;

/** A fresh browser context (own cookies) at a size, in Vietnamese unless told. */
export async function consolePage(browser: Browser, size: keyof typeof VIEWPORTS = "desktop"): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: VIEWPORTS[size], locale: "vi-VN", timezoneId: "Europe/London" });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error("page error:", error.message));
  return { context, page };
}

/** Signs in through the sign-in form with the password and waits for the overview. */
export async function signIn(page: Page, url: string, login: string, password = PASSWORD): Promise<void> {
  await page.goto(`${url}/admin`);
  await page.getByLabel("Tên đăng nhập").fill(login);
  await page.getByLabel("Mật khẩu", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.locator("#page-title").waitFor();
}

/** The page is no wider than its viewport (nothing needs horizontal scrolling). */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scroll, client } = (await page.evaluate("({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })")) as { scroll: number; client: number };
  expect(scroll, "page wider than the screen").toBeLessThanOrEqual(client);
}
