import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, signIn, staffAccount } from "./support/console.js";
import { chat, startTestApp, type RunningApp } from "./support/test-app.js";

const NEW_ANSWER = "Dạ, anh/chị liên hệ **Văn phòng Sở** qua số 0254 3852 123 trong giờ hành chính ạ.";

describeInBrowser("console knowledge screen (Kiến thức) in Chromium", () => {
  let browser: Browser;
  let running: RunningApp;

  beforeAll(async () => {
    browser = await launchChromium();
    running = await startTestApp();
    await staffAccount(running, "lan", "department_admin", { name: "Nguyễn Thị Lan" });
    await staffAccount(running, "xem", "viewer", { name: "Người xem" });
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  it("edits an answer with a live per-channel preview, applies it, and the bot answers the new text", async () => {
    const before = await chat(running.url, "parent", "cho tôi xin số điện thoại của sở giáo dục");
    expect(before.replies[0]?.buttons.map((b) => b.payload)).toContain("#human_handoff");
    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/knowledge`);
    await page.getByRole("heading", { name: "Kiến thức của bot" }).waitFor();
    await page.getByText("Đang dùng nội dung gốc trong kho").waitFor();
    await page.getByLabel("Tìm chủ đề").fill("lien he");
    await page.getByRole("link", { name: "Liên hệ" }).first().click();
    await page.getByLabel("Câu trả lời tiếng Việt").waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A wrong placeholder is named in Vietnamese and the apply button waits.
    await page.getByLabel("Câu trả lời tiếng Việt").fill("Dạ, gọi {{khong_co}} ạ");
    await page.getByText("có giá trị trong ngoặc nhọn kép không tồn tại").first().waitFor();
    await expect(page.getByRole("button", { name: "Áp dụng câu trả lời" }).isDisabled()).resolves.toBe(true);

    await page.getByLabel("Câu trả lời tiếng Việt").fill(NEW_ANSWER);
    const telegram = page.locator('[data-channel="telegram"][data-locale="vi"]');
    await telegram.locator("b", { hasText: "Văn phòng Sở" }).waitFor();
    await page.locator('[data-channel="zalo"][data-locale="vi"]', { hasText: "liên hệ Văn phòng Sở qua số" }).waitFor();
    await page.getByText("Câu trả lời hợp lệ.").waitFor();
    // One button fewer under the answer.
    await page.getByRole("button", { name: "Bỏ nút Gặp cán bộ" }).click();
    await page.getByRole("button", { name: "Áp dụng câu trả lời" }).click();
    await page.getByText(/Đã áp dụng phiên bản 1\. Bot đã dùng kiến thức mới\./).waitFor();
    await page.getByText(/Đang dùng phiên bản 1/).waitFor();

    const reply = await chat(running.url, "parent", "cho tôi xin số điện thoại của sở giáo dục");
    expect(reply.replies[0]?.text).toBe("Dạ, anh/chị liên hệ Văn phòng Sở qua số 0254 3852 123 trong giờ hành chính ạ.");
    const payloads = reply.replies[0]?.buttons.map((b) => b.payload) ?? [];
    expect(payloads).not.toContain("#human_handoff");
    expect(payloads.length).toBeGreaterThan(0);

    // The history shows it, and a revert (confirmed in a dialog) brings the old answer back.
    const row = page.getByRole("row").filter({ hasText: "Sửa câu trả lời" });
    await row.getByRole("button", { name: "Hoàn tác phiên bản 1" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Hoàn tác" }).click();
    await page.getByText("Đã hoàn tác. Phiên bản mới: 2.").waitFor();
    const after = await chat(running.url, "parent", "cho tôi xin số điện thoại của sở giáo dục");
    expect(after.replies[0]?.text).not.toContain("0254 3852 123");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  });

  it("adds a new question-and-answer topic on a phone, and the bot answers it", async () => {
    const { context, page } = await consolePage(browser, "phone");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/knowledge`);
    await page.getByRole("button", { name: "Thêm chủ đề mới" }).click();
    await page.getByLabel("Mã chủ đề").fill("library.hours");
    await page.getByLabel("Tên chủ đề (tiếng Việt, hiện trên nút)").fill("Giờ mở cửa thư viện");
    await page.getByLabel("Tên chủ đề (tiếng Anh)").fill("Library hours");
    await page.getByLabel("Câu hỏi mẫu tiếng Việt").fill("thư viện sở mở cửa mấy giờ\nthu vien so mo cua luc nao\ngiờ mở cửa thư viện sở gd");
    await page.getByLabel("Câu hỏi mẫu tiếng Anh").fill("when is the library of the department open");
    await page.getByLabel("Câu trả lời tiếng Việt").fill("Dạ, thư viện mở cửa từ 7 giờ 30 đến 17 giờ các ngày làm việc ạ.");
    await page.getByLabel("Câu trả lời tiếng Anh").fill("The library opens 7:30 to 17:00 on working days.");
    await expectNoHorizontalScroll(page);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Tạo chủ đề và huấn luyện lại" }).click();
    await page.getByText(/Đã áp dụng phiên bản \d+\. Bot đã dùng kiến thức mới\./).waitFor();
    const reply = await chat(running.url, "reader", "thư viện sở mở cửa mấy giờ");
    expect(reply.replies[0]?.text).toBe("Dạ, thư viện mở cửa từ 7 giờ 30 đến 17 giờ các ngày làm việc ạ.");
    await page.getByRole("link", { name: "Xem chủ đề library.hours" }).click();
    await page.getByRole("heading", { name: /Giờ mở cửa thư viện/ }).waitFor();
    await context.close();
  });

  it("a viewer reads the knowledge on a phone without change controls", async () => {
    const { context, page } = await consolePage(browser, "smallPhone");
    await signIn(page, running.url, "xem");
    await page.goto(`${running.url}/admin#/knowledge/contact`);
    await page.getByText("Tài khoản của anh/chị chỉ được xem.").waitFor();
    await expect(page.getByLabel("Câu trả lời tiếng Việt").count()).resolves.toBe(0);
    await expect(page.getByRole("button", { name: /Hoàn tác/ }).count()).resolves.toBe(0);
    await page.locator('[data-channel="web"][data-locale="vi"]').first().waitFor();
    await expectNoHorizontalScroll(page);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  });
});
