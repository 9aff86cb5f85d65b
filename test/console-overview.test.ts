import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeInBrowser, launchChromium, seriousAxeViolations } from "./support/browser.js";
import { consolePage, expectNoHorizontalScroll, signIn, staffAccount } from "./support/console.js";
import { dbWithEverySchoolYear } from "./support/every-school-tasks.js";
import { adminCall, chat, FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";

const FIXTURES = join(import.meta.dirname, "fixtures");

interface Overview {
  questions: { today: number; unanswered: number; unansweredRate: number | null };
  lateByOffice: { office: string | null; officeName: string | null; schools: number }[];
  tasksDueSoon: { title: { vi: string }; dueOn: string; done: number; applicable: number }[];
  scoped: boolean;
}

describe("overview (Tổng quan)", () => {
  let running: RunningApp;
  let admin: string;
  let office: string;
  const overview = async (token: string): Promise<Overview> => (await adminCall(running.url, "GET", "/api/admin/overview", token)).body as unknown as Overview;

  beforeAll(async () => {
    // 22/01/2026: the mid-year IT report (due 20/01) is late; the Tết-holiday report is due within 14 days.
    const clock = new FakeClock(new Date("2026-01-22T03:00:00Z"));
    running = await startTestApp({}, clock, dbWithEverySchoolYear("2025-2026", clock.now()));
    admin = running.app.tokens.create({ name: "admin", role: "department_admin" }, "test", clock.now()).token;
    for (const kind of ["units", "people"]) {
      const res = await adminCall(running.url, "POST", `/api/admin/imports/${kind}`, admin, readFileSync(join(FIXTURES, `${kind}-sample.csv`), "utf8"), "text/csv");
      expect(res.status).toBe(200);
    }
    office = running.app.tokens.create({ name: "PGD VT", role: "office_admin", unitCode: "PGD-VT" }, "test", clock.now()).token;
  });
  afterAll(async () => {
    await running?.stop();
  });

  it("counts today's questions and the ones the bot could not answer", async () => {
    const before = await overview(admin);
    await chat(running.url, "parent-a", "Làm sao đăng ký tuyển sinh đầu cấp trực tuyến?");
    await chat(running.url, "parent-b", "qwzx plorp vintage bicycle repair");
    const after = await overview(admin);
    expect(after.questions.today - before.questions.today).toBe(2);
    expect(after.questions.unanswered - before.questions.unanswered).toBe(1);
    expect(after.questions.unansweredRate).toBeCloseTo(after.questions.unanswered / after.questions.today);
  });

  it("counts late schools per office, the same schools the late lists name, and an office admin sees only its own", async () => {
    const tasks = (await adminCall(running.url, "GET", "/api/admin/tasks", admin)).body.tasks as { id: number; late: number }[];
    const units = (await adminCall(running.url, "GET", "/api/admin/units", admin)).body.units as { code: string; type: string; parentCode: string | null }[];
    const expected = new Map<string, Set<string>>();
    for (const task of tasks.filter((t) => t.late > 0)) {
      const late = (await adminCall(running.url, "GET", `/api/admin/tasks/${task.id}/late`, admin)).body.late as { code: string }[];
      for (const { code } of late) {
        const unit = units.find((u) => u.code === code);
        if (unit?.type !== "school" || !unit.parentCode) continue;
        expected.set(unit.parentCode, (expected.get(unit.parentCode) ?? new Set()).add(code));
      }
    }
    expect(expected.size).toBeGreaterThan(1);
    const all = await overview(admin);
    expect(Object.fromEntries(all.lateByOffice.map((o) => [o.office, o.schools]))).toEqual(Object.fromEntries([...expected].map(([k, v]) => [k, v.size])));
    expect(all.scoped).toBe(false);
    expect(all).not.toHaveProperty("zns"); // ZNS is not configured here: no usage to show

    const mine = await overview(office);
    expect(mine.scoped).toBe(true);
    expect(mine.lateByOffice).toEqual([{ office: "PGD-VT", officeName: "Phòng GDĐT Thành phố Vũng Tàu", schools: expected.get("PGD-VT")?.size }]);
    // Questions are counted over the people who follow the office's units: none of the parents above do.
    expect(mine.questions.today).toBe(0);
  });

  describeInBrowser("in Chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
      await staffAccount(running, "vt", "office_admin", { unit: "PGD-VT", name: "Trần Văn Bình" });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("shows an office admin its own numbers on a phone, readable and accessible", async () => {
      const { context, page } = await consolePage(browser, "phone");
      await signIn(page, running.url, "vt");
      await page.getByRole("heading", { name: "Tổng quan" }).waitFor();
      await page.getByText("Số liệu các đơn vị thuộc PGD-VT trong ngày 22/01/2026 (giờ Việt Nam).").waitFor();
      const chart = page.getByRole("figure").filter({ hasText: "Số trường chậm nộp theo Phòng GD" });
      await expect(chart.getByRole("listitem").allInnerTexts()).resolves.toEqual([expect.stringMatching(/^Phòng GDĐT Thành phố Vũng Tàu\s+\d+ trường$/)]);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await expectNoHorizontalScroll(page);
      await context.close();
    });
  });
});
