import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, signIn, staffAccount } from "./support/console.js";
import { adminCall, startTestApp, type RunningApp } from "./support/test-app.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const NEW_PASSWORD = "Phòng Vũng Tàu 2026!";

describeInBrowser("accounts screen in Chromium", () => {
  let browser: Browser;
  let running: RunningApp;

  beforeAll(async () => {
    browser = await launchChromium();
    running = await startTestApp();
    const token = running.app.tokens.create({ name: "test", role: "department_admin" }, "test", running.clock.now()).token;
    for (const kind of ["units", "people"]) {
      const csv = readFileSync(join(FIXTURES, `${kind}-sample.csv`), "utf8");
      expect((await adminCall(running.url, "POST", `/api/admin/imports/${kind}`, token, csv, "text/csv")).status).toBe(200);
    }
    await staffAccount(running, "lan", "department_admin", { name: "Nguyễn Thị Lan" });
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  it("creates an office admin on a phone, hands over the set-password link, and that admin sees only its units", async () => {
    const { context, page } = await consolePage(browser, "phone");
    page.setDefaultTimeout(10_000);
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/accounts`);
    await page.getByRole("heading", { name: "Tài khoản" }).waitFor();
    const lan = page.getByRole("row", { name: /lan/ });
    await expect(lan.innerText()).resolves.toMatch(/Quản trị Sở/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await expectNoHorizontalScroll(page);

    await page.getByRole("button", { name: "Tạo tài khoản" }).click();
    const dialog = page.getByRole("dialog", { name: "Tạo tài khoản mới" });
    // A taken login is worded in Vietnamese next to its field.
    await dialog.getByLabel("Tên đăng nhập").fill("lan");
    await dialog.getByLabel("Họ tên").fill("Lê Minh Tuấn");
    await dialog.getByLabel("Đơn vị").selectOption({ label: "Phòng GDĐT Thành phố Vũng Tàu" });
    await dialog.getByRole("button", { name: "Tạo tài khoản" }).click();
    await dialog.getByText("Tên đăng nhập này đã có người dùng.").waitFor();
    await dialog.getByLabel("Tên đăng nhập").fill("pgd.vungtau");
    await expect(dialog.getByLabel("Vai trò").inputValue()).resolves.toBe("office_admin");
    await dialog.getByRole("button", { name: "Tạo tài khoản" }).click();
    await page.getByText("Đã tạo tài khoản pgd.vungtau. Anh/chị gửi đường dẫn dưới đây cho người dùng để họ tự đặt mật khẩu.").waitFor();
    const link = await page.getByLabel("Đường dẫn đặt mật khẩu (dùng một lần)").inputValue();
    expect(link).toMatch(/\/admin\/#\/set-password\/[A-Za-z0-9_-]{20,}$/);
    await page.getByText(/Hết hạn lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}\./).waitFor();
    const row = page.getByRole("row", { name: /pgd\.vungtau/ });
    await expect(row.innerText()).resolves.toMatch(/Lê Minh Tuấn[\s\S]*Quản trị Phòng GD[\s\S]*Phòng GDĐT Thành phố Vũng Tàu[\s\S]*Chưa đặt mật khẩu[\s\S]*Chưa đăng nhập/);
    await expectNoHorizontalScroll(page);

    // The new admin sets the password through the link (in another browser), then signs in.
    const office = await consolePage(browser, "phone");
    office.page.setDefaultTimeout(10_000);
    const token = link.slice(link.indexOf("#/set-password/") + "#/set-password/".length);
    await office.page.goto(`${running.url}/admin#/set-password/${token}`);
    await office.page.getByLabel("Mật khẩu mới").fill(NEW_PASSWORD);
    await office.page.getByLabel("Nhập lại mật khẩu").fill(NEW_PASSWORD);
    await office.page.getByRole("button", { name: "Đặt mật khẩu" }).click();
    await office.page.getByText("Đã đặt mật khẩu cho tài khoản pgd.vungtau.", { exact: false }).waitFor();
    await signIn(office.page, running.url, "pgd.vungtau", NEW_PASSWORD);
    await office.page.goto(`${running.url}/admin#/registry`);
    await office.page.getByRole("heading", { name: "Cán bộ", exact: true }).waitFor();
    // Only its office and schools: in the unit filter, the letter's school picker and the people list.
    const unitOptions = await office.page.getByLabel("Đơn vị", { exact: true }).locator("option").allTextContents();
    expect(unitOptions.slice(1).sort()).toEqual(
      ["Phòng GDĐT Thành phố Vũng Tàu", "Trường Mầm non Sao Mai", "Trường THCS Huỳnh Khương Ninh", "Trường THCS Văn Lang", "Trường Tiểu học Thắng Nhất"].sort(),
    );
    await office.page.getByRole("table", { name: "Danh sách cán bộ" }).waitFor();
    const units = await office.page.locator('td[data-label="Đơn vị"]').allTextContents();
    expect(units.length).toBeGreaterThan(0);
    expect(units.every((u) => unitOptions.includes(u))).toBe(true);
    // An office imports people only (units are the Department's), and has no accounts screen.
    await expect(office.page.getByLabel("Loại dữ liệu").count()).resolves.toBe(0);
    await office.page.getByText("Phòng GDĐT chỉ cập nhật được cán bộ đã có trong các đơn vị của mình.", { exact: false }).waitFor();
    await office.page.getByRole("button", { name: "Danh mục" }).click();
    await expect(office.page.getByRole("link", { name: "Tài khoản" }).count()).resolves.toBe(0);
    await expectNoHorizontalScroll(office.page);

    // Back on the Department's screen: the last sign-in shows, then the account is disabled and its session ends.
    await page.reload();
    await expect(page.getByRole("row", { name: /pgd\.vungtau/ }).innerText()).resolves.toMatch(/Đang hoạt động[\s\S]*\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    await page.getByRole("button", { name: "Khoá tài khoản pgd.vungtau" }).click();
    await page.getByRole("dialog", { name: "Khoá tài khoản pgd.vungtau?" }).getByRole("button", { name: "Khoá" }).click();
    await page.getByText("Đã khoá tài khoản pgd.vungtau; các phiên đăng nhập của tài khoản đã kết thúc.").waitFor();
    // The list is fetched again after the notice: wait for it rather than read it once.
    await expect.poll(() => page.getByRole("row", { name: /pgd\.vungtau/ }).innerText(), { timeout: 10_000 }).toMatch(/Đã khoá/);
    await office.page.reload();
    await office.page.getByRole("heading", { name: "Đăng nhập bảng điều khiển" }).waitFor();
    await office.context.close();
    await context.close();
  }, 60_000);

  it("edits an account's role and name at desktop size, and makes a new set-password link", async () => {
    await staffAccount(running, "minh", "viewer", { name: "Cán bộ Minh" });
    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/accounts`);
    await page.getByRole("button", { name: "Sửa tài khoản minh" }).click();
    const dialog = page.getByRole("dialog", { name: "Sửa tài khoản minh" });
    await dialog.getByLabel("Họ tên").fill("Phạm Văn Minh");
    await dialog.getByLabel("Vai trò").selectOption({ label: "Quản trị Phòng GD" });
    // An office admin without a unit is refused, in words.
    await dialog.getByRole("button", { name: "Lưu" }).click();
    await dialog.getByText("Tài khoản quản trị Phòng GD cần chọn đơn vị.").waitFor();
    await dialog.getByLabel("Đơn vị").selectOption({ label: "Phòng GDĐT Thành phố Bà Rịa" });
    await dialog.getByRole("button", { name: "Lưu" }).click();
    await page.getByText("Đã lưu thay đổi của tài khoản minh.").waitFor();
    await expect(page.getByRole("row", { name: /minh/ }).innerText()).resolves.toMatch(/Phạm Văn Minh\s+Quản trị Phòng GD\s+Phòng GDĐT Thành phố Bà Rịa/);
    await page.getByRole("button", { name: "Tạo đường dẫn đặt mật khẩu mới cho minh" }).click();
    await page.getByText("Đã tạo đường dẫn đặt mật khẩu mới cho minh; đường dẫn cũ không dùng được nữa.").waitFor();
    await expect(page.getByLabel("Đường dẫn đặt mật khẩu (dùng một lần)").inputValue()).resolves.toMatch(/#\/set-password\//);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  }, 60_000);
});
