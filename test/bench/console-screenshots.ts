/**
 * npm run console:screenshots — the README's pictures of the staff console: the product on a sample province
 * (the test fixtures' units and people, the 2025-2026 school year, a few questions), each screen at phone and
 * desktop size, saved as docs/console/<screen>-<size>.png.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "../support/chromium.js";
import { PASSWORD, staffAccount } from "../support/staff-account.js";
import { dbWithEverySchoolYear } from "../support/every-school-tasks.js";
import { chat, FakeClock, startTestApp } from "../support/test-app.js";

const OUT = join(import.meta.dirname, "..", "..", "docs", "console");
const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const clock = new FakeClock(new Date("2026-01-22T03:00:00Z"));
const running = await startTestApp({ TELEGRAM_BOT_USERNAME: "sogd_bot" }, clock, dbWithEverySchoolYear("2025-2026", clock.now()));
const token = running.app.tokens.create({ name: "screens", role: "department_admin" }, "screens", clock.now()).token;
for (const kind of ["units", "people"]) {
  await fetch(`${running.url}/api/admin/imports/${kind}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" },
    body: readFileSync(join(FIXTURES, `${kind}-sample.csv`), "utf8"),
  });
}
for (const [who, text] of [
  ["a", "Làm sao đăng ký tuyển sinh đầu cấp trực tuyến?"],
  ["b", "tra cuu diem thi o dau"],
  ["c", "học phí học kỳ 2 đóng khi nào"],
  ["d", "How do I get my child's VnEdu account?"],
  ["e", "tôi muốn gặp cán bộ của Sở để hỏi về hồ sơ chuyển trường cho con"],
]) {
  await chat(running.url, `parent-${who}`, text as string);
}
await staffAccount(running, "lan", "department_admin", { name: "Nguyễn Thị Lan" });

const screens = (process.argv[2] ?? "overview,broadcasts/new,tasks,registry,inbox,review,knowledge,accounts").split(",");
const browser = await launchChromium();
for (const [size, viewport] of [
  ["phone", { width: 390, height: 844 }],
  ["desktop", { width: 1280, height: 800 }],
] as const) {
  const context = await browser.newContext({ viewport, locale: "vi-VN", deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(`${running.url}/admin`);
  await page.screenshot({ path: join(OUT, `sign-in-${size}.png`) });
  await page.getByLabel("Tên đăng nhập").fill("lan");
  await page.getByLabel("Mật khẩu", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.locator("#page-title").waitFor();
  for (const screen of screens) {
    await page.goto(`${running.url}/admin#/${screen}`);
    await page.locator("#page-title").waitFor();
    await page.waitForLoadState("networkidle");
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(OUT, `${screen.replace(/\//g, "-")}-${size}.png`), fullPage: size === "desktop" });
  }
  await context.close();
}
await browser.close();
await running.stop();
console.log(`screenshots in ${OUT}`);
