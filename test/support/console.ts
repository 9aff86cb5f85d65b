import type { Browser, BrowserContext, Page } from "playwright-core";
import { expect } from "vitest";
import type { AdminRole } from "../../src/access/actor.js";
import type { RunningApp } from "./test-app.js";

export const PASSWORD = "mật khẩu đủ dài 2026";

/** A staff account with a password, made as a Department admin would (create, then the set-password link). */
export async function staffAccount(
  running: RunningApp,
  login: string,
  role: AdminRole = "department_admin",
  extra: { name?: string; unit?: string; personRef?: string } = {},
): Promise<void> {
  const now = running.clock.now();
  const { token } = running.app.staffAccounts.create(
    { login, name: extra.name ?? `Cán bộ ${login}`, role, ...(extra.unit ? { unit: extra.unit } : {}), ...(extra.personRef ? { personRef: extra.personRef } : {}) },
    "test",
    now,
  );
  await running.app.staffAccounts.setPassword({ token, password: PASSWORD }, now);
}

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
