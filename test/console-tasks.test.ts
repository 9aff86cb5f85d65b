import { readFileSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { importUnits } from "../src/registry/units-import.js";
import { stepsFor } from "../src/reminders/steps.js";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, signIn, staffAccount } from "./support/console.js";
import { dbWithEverySchoolYear } from "./support/every-school-tasks.js";
import { adminCall, FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const MID_YEAR = "Báo cáo giữa năm học về nhiệm vụ ứng dụng CNTT";
const HKN = { code: "THCS-HKN-VT", name: "Trường THCS Huỳnh Khương Ninh" };
/** PGD-VT and the four schools under it */
const VT_UNITS = ["Phòng GDĐT Thành phố Vũng Tàu", "Trường Mầm non Sao Mai", "Trường Tiểu học Thắng Nhất", HKN.name, "Trường THCS Văn Lang"];

describeInBrowser("the Nhiệm vụ screen in Chromium", () => {
  let browser: Browser;
  let running: RunningApp;
  let clock: FakeClock;
  let token: string;
  let midYearId: number;

  type Listed = { id: number; key: string; dueOn: string | null; statuses: { todo: number; done: number; not_applicable: number } };
  const midYear = async (): Promise<Listed> =>
    ((await adminCall(running.url, "GET", "/api/admin/tasks", token)).body.tasks as Listed[]).find((t) => t.key === "mid_year_it_report") as Listed;
  /** Units that the planner would remind about the mid-year report at `at` (their own people, not summaries). */
  const remindedUnits = (at: Date, step?: string): Set<string> =>
    new Set(
      running.app.planner
        .dryRun(at)
        .filter((r) => r.task === "mid_year_it_report" && !r.lateUnits && (step === undefined || r.step === step))
        .map((r) => r.unit),
    );
  const columnDone = async (page: Page): Promise<string> =>
    ((await page.getByRole("columnheader", { name: new RegExp(MID_YEAR) }).locator(".tasks-matrix-done").textContent()) ?? "").trim();

  beforeAll(async () => {
    browser = await launchChromium();
    // Wednesday 14/01/2026 10:00 in Vietnam; the mid-year IT report is due on 20/01 and goes to every school.
    clock = new FakeClock(new Date("2026-01-14T03:00:00Z"));
    running = await startTestApp({}, clock, dbWithEverySchoolYear("2025-2026", clock.now()));
    expect(importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now: clock.now() }).ok).toBe(true);
    token = running.app.tokens.create({ name: "test", role: "department_admin" }, "test", clock.now()).token;
    const people = await adminCall(running.url, "POST", "/api/admin/imports/people", token, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), "text/csv");
    expect(people.body.ok).toBe(true);
    await staffAccount(running, "lan", "department_admin", { name: "Nguyễn Thị Lan" });
    await staffAccount(running, "tuan", "office_admin", { name: "Lê Minh Tuấn", unit: "PGD-VT" });
    await staffAccount(running, "xem", "viewer", { name: "Người xem" });
    midYearId = (await midYear()).id;
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  it("shows x/y đã nộp per task; marking a school done changes the matrix, the counts and the planner's reminders; undo and history", async () => {
    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/tasks`);
    await page.getByRole("tab", { name: "Bảng tổng hợp", selected: true }).waitFor();
    // 3 offices and 15 schools, none with a status yet: every one of them counts as not done.
    expect((await midYear()).statuses).toEqual({ todo: 18, done: 0, not_applicable: 0 });
    expect(await columnDone(page)).toBe("0/18 đã nộp");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await expectNoHorizontalScroll(page);

    // The 7-days-before round (Tue 13/01 08:00) reminds the school's own people.
    const beforeSeven = new Date("2026-01-13T01:30:00Z");
    expect(remindedUnits(beforeSeven)).toContain(HKN.code);

    await page.getByRole("link", { name: MID_YEAR }).first().click();
    await page.getByRole("heading", { name: MID_YEAR, level: 1 }).waitFor();
    await page.getByRole("button", { name: `Ghi nhận ${HKN.name} đã nộp` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Ghi chú (không bắt buộc)").fill("Đã nhận bản giấy");
    await dialog.getByRole("button", { name: "Ghi nhận đã nộp" }).click();
    await page.getByText(`Đã ghi nhận: ${HKN.name} đã nộp «${MID_YEAR}».`).waitFor();
    await page.getByText("1/18 đã nộp").waitFor();
    expect((await midYear()).statuses).toEqual({ todo: 17, done: 1, not_applicable: 0 });
    // The planner itself no longer plans a reminder for that school; the others still get theirs.
    const after = remindedUnits(beforeSeven);
    expect(after).not.toContain(HKN.code);
    expect(after).toContain("THCS-VANLANG-VT");

    await page.goto(`${running.url}/admin#/tasks`);
    await page.getByRole("tab", { name: "Bảng tổng hợp" }).click();
    expect(await columnDone(page)).toBe("1/18 đã nộp");
    const hknRow = page.getByRole("row", { name: new RegExp(HKN.name) });
    await expect(hknRow.getByRole("link", { name: "Đã nộp" }).count()).resolves.toBe(1);

    // History, then undo: back to not done, reminded again, and both changes in the history.
    await hknRow.getByRole("link", { name: "Đã nộp" }).click();
    await page.getByRole("heading", { name: HKN.name, level: 1 }).waitFor();
    await page.getByRole("cell", { name: "Đã nhận bản giấy" }).waitFor();
    await page.getByRole("button", { name: `Hoàn tác, đưa ${HKN.name} về chưa nộp` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Hoàn tác" }).click();
    await page.getByText(`Đã đưa ${HKN.name} về chưa nộp «${MID_YEAR}».`).waitFor();
    await page.getByRole("cell", { name: "Chưa nộp (hoàn tác)" }).waitFor();
    const historyRows = page.locator("table.data-table tbody tr");
    await expect(historyRows.count()).resolves.toBe(2);
    expect(await historyRows.first().textContent()).toContain("Nguyễn Thị Lan (staff:lan)");
    expect(remindedUnits(beforeSeven)).toContain(HKN.code);
    expect((await midYear()).statuses.done).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  });

  it("exports the matrix as an XLSX with Vietnamese headers, unit names, statuses in words and dd/MM/yyyy dates", async () => {
    await adminCall(running.url, "PUT", `/api/admin/tasks/${midYearId}/units/THPT-VT/status`, token, { status: "done" });
    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/tasks`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Tải bảng (Excel)" }).click()]);
    expect(download.suggestedFilename()).toBe("nhiem-vu-2025-2026.xlsx");
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await download.path()) as string);
    const summary = book.getWorksheet("Tổng hợp");
    const grid = book.getWorksheet("Bảng theo dõi");
    expect(summary && grid && book.getWorksheet("Chưa nộp")).toBeTruthy();
    expect((summary?.getRow(1).values as string[]).slice(1)).toEqual(["Nhiệm vụ", "Hạn nộp", "Số đơn vị phải nộp", "Đã nộp", "Chưa nộp", "Quá hạn", "Không áp dụng"]);
    const midRow = summary?.getRows(2, summary.rowCount - 1)?.find((r) => r.getCell(1).value === MID_YEAR);
    expect(midRow?.values).toEqual([undefined, MID_YEAR, "20/01/2026", 18, 1, 17, 0, 0]);
    const headers = grid?.getRow(1).values as string[];
    expect(headers.slice(1, 6)).toEqual(["Mã đơn vị", "Tên đơn vị", "Loại", "Cấp học", "Phòng GDĐT"]);
    const column = headers.indexOf(`${MID_YEAR} (hạn 20/01/2026)`);
    expect(column).toBeGreaterThan(5);
    const byCode = new Map<string, ExcelJS.Row>();
    grid?.eachRow((row, n) => n > 1 && byCode.set(String(row.getCell(1).value), row));
    expect(byCode.get("THPT-VT")?.getCell(column).value).toBe("Đã nộp");
    expect(byCode.get(HKN.code)?.getCell(2).value).toBe(HKN.name);
    expect(byCode.get(HKN.code)?.getCell(4).value).toBe("THCS");
    expect(byCode.get(HKN.code)?.getCell(5).value).toBe("Phòng GDĐT Thành phố Vũng Tàu");
    expect(byCode.get(HKN.code)?.getCell(column).value).toBe("Chưa nộp");
    await context.close();
  });

  it("shows an office admin its own units and its own numbers only", async () => {
    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "tuan");
    await page.goto(`${running.url}/admin#/tasks`);
    await page.getByText("Phạm vi: Phòng GDĐT Thành phố Vũng Tàu và các trường trực thuộc.").waitFor();
    await page.getByRole("tab", { name: "Bảng tổng hợp" }).click();
    expect(await columnDone(page)).toBe("0/5 đã nộp"); // THPT-VT (done) is the Department's, not this office's
    const rowHeads = (await page.locator("table.tasks-matrix tbody th[scope=row]").allTextContents()).map((s) => s.replace(/[A-Z][A-Z0-9-]+$/, "").trim());
    expect(rowHeads.sort()).toEqual([...VT_UNITS].sort());
    await expect(page.getByLabel("Phòng GDĐT", { exact: true }).count()).resolves.toBe(0); // no office filter: one office
    // An office marks its own schools but does not change the Department's dates.
    await page.goto(`${running.url}/admin#/tasks/${midYearId}`);
    await page.getByRole("button", { name: `Ghi nhận ${HKN.name} đã nộp` }).waitFor();
    await expect(page.getByRole("button", { name: "Lưu hạn nộp" }).count()).resolves.toBe(0);
    await expect(page.getByRole("link", { name: /THPT-VT/ }).count()).resolves.toBe(0);
    await context.close();
  });

  it("shows a viewer everything but no button that would be refused", async () => {
    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "xem");
    await page.goto(`${running.url}/admin#/tasks/${midYearId}`);
    await page.getByRole("heading", { name: MID_YEAR, level: 1 }).waitFor();
    await page.getByText("1/18 đã nộp").waitFor();
    await page.getByRole("link", { name: new RegExp(HKN.name) }).waitFor();
    await expect(page.getByRole("button", { name: /đã nộp|không áp dụng|Hoàn tác/i }).count()).resolves.toBe(0);
    await expect(page.getByRole("button", { name: "Lưu hạn nộp" }).count()).resolves.toBe(0);
    await page.goto(`${running.url}/admin#/tasks/${midYearId}/THPT-VT`);
    await page.getByRole("heading", { name: "Lịch sử thay đổi" }).waitFor();
    await expect(page.getByRole("button", { name: "Hoàn tác" }).count()).resolves.toBe(0);
    // The same screen in English.
    await page.goto(`${running.url}/admin#/tasks`);
    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("tab", { name: "Matrix" }).click();
    await page.getByRole("columnheader", { name: /Mid-year report on IT tasks/ }).getByText("1/18 sent").waitFor();
    await page.getByRole("button", { name: "Tiếng Việt" }).click();
    await context.close();
  });

  it("on a phone: a per-task list with no horizontal scrolling, marking works, no serious accessibility problem", async () => {
    const { context, page } = await consolePage(browser, "smallPhone");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/tasks`);
    await page.getByRole("tab", { name: "Theo nhiệm vụ", selected: true }).waitFor();
    const card = page.locator(".tasks-card", { has: page.getByRole("link", { name: MID_YEAR }) });
    expect(((await card.locator(".tasks-card-done").textContent()) ?? "").trim()).toBe("1/18 đã nộp");
    await expectNoHorizontalScroll(page);
    expect(await seriousAxeViolations(page)).toEqual([]);
    // The matrix stays inside its own scroll box.
    await page.getByRole("tab", { name: "Bảng tổng hợp" }).click();
    await page.locator("table.tasks-matrix").waitFor();
    await expectNoHorizontalScroll(page);

    await page.goto(`${running.url}/admin#/tasks/${midYearId}`);
    await page.getByRole("heading", { name: MID_YEAR, level: 1 }).waitFor();
    await expectNoHorizontalScroll(page);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByLabel("Trạng thái", { exact: true }).selectOption("late");
    await page.getByText("0 đơn vị", { exact: true }).waitFor(); // not late before 20/01
    await page.getByLabel("Trạng thái", { exact: true }).selectOption("todo");
    await page.getByText("17 đơn vị", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Ghi nhận nhiệm vụ không áp dụng cho Trường Mầm non Sao Mai" }).click();
    await page.getByRole("dialog").getByLabel("Ghi chú (không bắt buộc)").fill("Trường sáp nhập");
    await page.getByRole("dialog").getByRole("button", { name: "Ghi nhận không áp dụng" }).click();
    await page.getByText("16 đơn vị", { exact: true }).waitFor();
    expect((await midYear()).statuses).toEqual({ todo: 16, done: 1, not_applicable: 1 });
    await expectNoHorizontalScroll(page);
    await context.close();
  });

  it("asks before a past due date and says what the planner's next round will send, which the planner then plans", async () => {
    const { context, page } = await consolePage(browser, "desktop");
    await signIn(page, running.url, "lan");
    await page.goto(`${running.url}/admin#/tasks/${midYearId}`);
    await page.getByRole("heading", { name: MID_YEAR, level: 1 }).waitFor();
    const owing = (await midYear()).statuses.todo;
    expect(owing).toBe(16);
    // 11/01 (Sunday): the due-day and late-2 rounds have passed the catch-up window; late-4 is Thu 15/01 08:00.
    const settings = running.app.taskBoard.reminderSettings();
    const next = stepsFor("2026-01-11", settings).find((s) => s.at.getTime() > clock.now().getTime());
    expect(next?.key).toBe("late-4");
    expect(next?.at.toISOString()).toBe("2026-01-15T01:00:00.000Z");

    await page.getByRole("textbox", { name: "Hạn nộp mới" }).fill("11/01/2026");
    await page.getByRole("button", { name: "Lưu hạn nộp" }).click();
    const dialog = page.getByRole("dialog", { name: "Hạn nộp mới đã qua" });
    await dialog.waitFor();
    const text = (await dialog.textContent()) ?? "";
    expect(text).toContain("Ngày 11/01/2026 đã qua.");
    expect(text).toContain("16 đơn vị chưa nộp (13 trường, 3 phòng) sẽ nhận nhắc quá hạn ở lượt nhắc tiếp theo (08:00 ngày 15/01/2026).");
    // Cancel changes nothing.
    await dialog.getByRole("button", { name: "Huỷ" }).click();
    expect((await midYear()).dueOn).toBe("2026-01-20");

    await page.getByRole("button", { name: "Lưu hạn nộp" }).click();
    await dialog.getByRole("button", { name: "Vẫn đổi hạn nộp" }).click();
    await page.getByText(/Đã đổi hạn nộp thành 11\/01\/2026\./).waitFor();
    expect((await midYear()).dueOn).toBe("2026-01-11");
    // The planner, at that round, reminds exactly the units that have not sent it and have people to remind.
    const reminded = remindedUnits(new Date("2026-01-15T01:00:00Z"), "late-4");
    expect(reminded.size).toBeGreaterThan(0);
    expect(reminded).not.toContain("THPT-VT");
    expect(reminded).not.toContain("MN-SAOMAI-VT");
    expect(reminded).toContain(HKN.code);
    const peopleLine = /Lượt nhắc đó gửi tới (\d+) cán bộ/.exec(text)?.[1];
    expect(Number(peopleLine)).toBe(running.app.planner.dryRun(new Date("2026-01-15T01:00:00Z")).filter((r) => r.task === "mid_year_it_report" && !r.lateUnits).length);
    await context.close();
  });
});
