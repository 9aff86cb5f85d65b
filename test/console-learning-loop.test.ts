import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, launchChromium } from "./support/browser.js";
import { consolePage, signIn, staffAccount } from "./support/console.js";
import { chat, startTestApp, type RunningApp } from "./support/test-app.js";

// Issue 9's "done when": a staff member takes an unanswered parent question, teaches the bot from the console,
// and the next parent who asks it is answered, all within a minute, with no restart.
const QUESTION = "thằng cu nhà mình sắp lên cấp ba, giấy tờ cần chuẩn bị là gì";

describeInBrowser("the learning loop, from a parent's question to the next parent's answer", () => {
  let browser: Browser;
  let running: RunningApp;

  beforeAll(async () => {
    running = await startTestApp({}, new Date());
    await staffAccount(running, "lan", "department_admin", { name: "Nguyễn Thị Lan" });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  it("is taught from the review screen on a phone and answers the next parent within a minute", async () => {
    // What the bot says about admission to grade 10 (asked the way its training phrases put it).
    const reference = (await chat(running.url, "reference-parent", "tuyển sinh lớp 10")).replies[0]?.text ?? "";
    expect(reference).toMatch(/lớp 10/);
    const before = await chat(running.url, "parent-1", QUESTION);
    expect(before.replies[0]?.text).toMatch(/chưa có câu trả lời/);

    const started = Date.now();
    const { context, page } = await consolePage(browser, "phone");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/review`);
    const group = page.locator(".review-group", { hasText: QUESTION });
    await group.getByRole("button", { name: "Câu này thuộc chủ đề…" }).click();
    await group.getByLabel("Chủ đề", { exact: true }).selectOption("admission.grade10");
    await group.getByRole("button", { name: "Thêm vào chủ đề" }).click();
    const drop = page.getByRole("dialog", { name: "Độ chính xác của bot giảm" });
    const applied = page.getByText(/Đã thêm 1 câu vào chủ đề/);
    await Promise.race([applied.waitFor({ timeout: 30_000 }), drop.waitFor({ timeout: 30_000 })]);
    if (await drop.isVisible()) await drop.getByRole("button", { name: "Vẫn áp dụng" }).click();
    await applied.waitFor({ timeout: 30_000 });
    await context.close();

    // The next parent, a different person, asks the same thing: answered as admission to grade 10.
    let answer = "";
    await expect
      .poll(
        async () => {
          answer = (await chat(running.url, `parent-${Date.now()}`, QUESTION)).replies[0]?.text ?? "";
          return answer;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(reference);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);
});
