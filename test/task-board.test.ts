import { readFileSync } from "node:fs";
import ExcelJS from "exceljs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeTaskButton, encodeTaskButton, type TaskButton } from "../src/core/task-buttons.js";
import { importUnits } from "../src/registry/units-import.js";
import { dbWithEverySchoolYear } from "./support/every-school-tasks.js";
import { adminCall, FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";

const FIXTURES = join(import.meta.dirname, "fixtures");

describe("the task board's counts follow who the task applies to", () => {
  let running: RunningApp;
  let clock: FakeClock;
  let admin: string;
  let office: string;

  const call = (method: string, path: string, token: string, body?: string | object, type?: string) =>
    adminCall(running.url, method, path, token, body, type);
  type Listed = { id: number; key: string; statuses: { todo: number; done: number; not_applicable: number }; late: number };
  const listed = async (token: string, key: string) => ((await call("GET", "/api/admin/tasks", token)).body.tasks as Listed[]).find((t) => t.key === key) as Listed;

  beforeAll(async () => {
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z"));
    // The Department sends the mid-year IT report to every school: the 3 offices and all 15 schools of the sample.
    running = await startTestApp({}, clock, dbWithEverySchoolYear("2025-2026", clock.now()));
    expect(importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now: clock.now() }).ok).toBe(true);
    admin = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", clock.now()).token;
    office = running.app.tokens.create({ name: "PGD VT", role: "office_admin", unitCode: "PGD-VT" }, "test", clock.now()).token;
  });
  afterAll(async () => {
    await running.stop();
  });

  it("counts every unit without a status as to do: N units, one done → to do N-1, done 1; the late list names the N-1", async () => {
    const before = await listed(admin, "mid_year_it_report");
    expect(before.statuses).toEqual({ todo: 18, done: 0, not_applicable: 0 });
    expect(before.late).toBe(0);

    expect((await call("PUT", `/api/admin/tasks/${before.id}/units/THCS-HKN-VT/status`, admin, { status: "done" })).status).toBe(200);
    const after = await listed(admin, "mid_year_it_report");
    expect(after.statuses).toEqual({ todo: 17, done: 1, not_applicable: 0 });
    expect((await call("GET", `/api/admin/tasks/${before.id}/late`, admin)).body.late).toEqual([]); // not due yet

    clock.set(new Date("2026-01-22T03:00:00Z")); // two days after 20/01
    expect((await listed(admin, "mid_year_it_report")).late).toBe(17);
    const late = await call("GET", `/api/admin/tasks/${before.id}/late`, admin);
    expect(late.body.daysLate).toBe(2);
    const codes = (late.body.late as { code: string }[]).map((u) => u.code);
    expect(codes).toHaveLength(17);
    expect(codes).not.toContain("THCS-HKN-VT");
    expect(codes).toEqual(expect.arrayContaining(["PGD-VT", "MN-SAOMAI-VT", "THPT-VT", "GDTX-TINH"]));
  });

  it("keeps not applicable and back to do in the counts, and an office sees its own units only", async () => {
    const task = await listed(admin, "mid_year_it_report");
    expect((await call("PUT", `/api/admin/tasks/${task.id}/units/MN-SAOMAI-VT/status`, office, { status: "not_applicable", note: "sáp nhập" })).status).toBe(200);
    expect((await listed(admin, "mid_year_it_report")).statuses).toEqual({ todo: 16, done: 1, not_applicable: 1 });
    // PGD-VT and its 4 schools: one done, one not applicable.
    expect((await listed(office, "mid_year_it_report")).statuses).toEqual({ todo: 3, done: 1, not_applicable: 1 });
    expect((await listed(office, "mid_year_it_report")).late).toBe(3);
    expect((await call("PUT", `/api/admin/tasks/${task.id}/units/THCS-HKN-VT/status`, office, { status: "todo" })).status).toBe(200);
    expect((await listed(office, "mid_year_it_report")).statuses).toEqual({ todo: 4, done: 0, not_applicable: 1 });
    const lateCodes = ((await call("GET", `/api/admin/tasks/${task.id}/late`, office)).body.late as { code: string }[]).map((u) => u.code);
    expect(lateCodes.sort()).toEqual(["PGD-VT", "TH-THANGNHAT-VT", "THCS-HKN-VT", "THCS-VANLANG-VT"]);
  });
});

describe("the task matrix, history, date dry run and export through the admin API", () => {
  let running: RunningApp;
  let clock: FakeClock;
  let admin: string;
  let office: string;
  let viewer: string;

  const call = (method: string, path: string, token: string, body?: string | object, type?: string) =>
    adminCall(running.url, method, path, token, body, type);
  type Matrix = {
    today: string;
    tasks: { id: number; key: string; applicable: number; late: number; statuses: { todo: number; done: number; not_applicable: number } }[];
    units: { code: string; office: string | null; cells: string }[];
  };

  beforeAll(async () => {
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z"));
    running = await startTestApp({}, clock, dbWithEverySchoolYear("2025-2026", clock.now()));
    expect(importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now: clock.now() }).ok).toBe(true);
    admin = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", clock.now()).token;
    office = running.app.tokens.create({ name: "PGD VT", role: "office_admin", unitCode: "PGD-VT" }, "test", clock.now()).token;
    viewer = running.app.tokens.create({ name: "xem", role: "viewer" }, "test", clock.now()).token;
  });
  afterAll(async () => {
    await running.stop();
  });

  it("gives the same counts as the task list, from cells where only units the task applies to have a status", async () => {
    const matrix = (await call("GET", "/api/admin/tasks/matrix", viewer)).body as Matrix;
    const list = (await call("GET", "/api/admin/tasks", viewer)).body.tasks as Matrix["tasks"];
    for (const [i, task] of matrix.tasks.entries()) {
      expect(task.statuses).toEqual(list.find((t) => t.id === task.id)?.statuses);
      const cells = matrix.units.map((u) => u.cells[i]);
      expect(cells.filter((c) => c === "t").length).toBe(task.statuses.todo);
      expect(cells.filter((c) => c !== "-").length).toBe(task.applicable);
    }
    const mid = matrix.tasks.findIndex((t) => t.key === "mid_year_it_report");
    expect(matrix.tasks[mid]?.applicable).toBe(18);
    const mine = (await call("GET", "/api/admin/tasks/matrix", office)).body as Matrix;
    expect(mine.units.map((u) => u.code).sort()).toEqual(["MN-SAOMAI-VT", "PGD-VT", "TH-THANGNHAT-VT", "THCS-HKN-VT", "THCS-VANLANG-VT"]);
    expect(mine.units.every((u) => u.office === "PGD-VT")).toBe(true);
    expect(mine.tasks.find((t) => t.key === "mid_year_it_report")?.applicable).toBe(5);
    expect((await call("GET", "/api/admin/tasks/matrix?year=1999-2000", admin)).body).toMatchObject({ code: "year_not_found" });
  });

  it("keeps a history per task and unit, within the caller's scope, with stable error codes", async () => {
    const mid = ((await call("GET", "/api/admin/tasks/matrix", admin)).body as Matrix).tasks.find((t) => t.key === "mid_year_it_report")!;
    await call("PUT", `/api/admin/tasks/${mid.id}/units/THCS-HKN-VT/status`, office, { status: "done", note: "bản giấy" });
    clock.set(new Date("2026-01-12T04:00:00Z"));
    await call("PUT", `/api/admin/tasks/${mid.id}/units/THCS-HKN-VT/status`, admin, { status: "todo" });
    const history = await call("GET", `/api/admin/tasks/${mid.id}/units/THCS-HKN-VT/history`, viewer);
    expect(history.body).toMatchObject({ unit: "THCS-HKN-VT", unitName: "Trường THCS Huỳnh Khương Ninh", status: "todo" });
    const entries = history.body.entries as { status: string; by: string; note: string | null; at: string }[];
    expect(entries.map((e) => [e.status, e.note])).toEqual([["todo", null], ["done", "bản giấy"]]);
    expect(entries[1]?.by).toMatch(/PGD VT/);
    expect(entries[0]?.at).toBe(new Date(Date.parse(entries[0]!.at)).toISOString());
    const outside = await call("GET", `/api/admin/tasks/${mid.id}/units/THPT-VT/history`, office);
    expect([outside.status, outside.body.code]).toEqual([404, "task_or_unit_not_found"]);
    const refused = await call("PUT", `/api/admin/tasks/${mid.id}/units/THPT-VT/status`, office, { status: "done" });
    expect([refused.status, refused.body.code]).toEqual([403, "unit_out_of_scope"]);
    const bad = await call("PUT", `/api/admin/tasks/${mid.id}/units/THPT-VT/status`, admin, { status: "finished" });
    expect([bad.status, bad.body.code, bad.body.field]).toEqual([400, "invalid_task_status", "status"]);
    expect((await call("PUT", `/api/admin/tasks/${mid.id}/units/THPT-VT/status`, viewer, { status: "done" })).status).toBe(403);
  });

  it("dry-runs a date change with the planner's rules, for the Department only, writing nothing", async () => {
    const mid = ((await call("GET", "/api/admin/tasks/matrix", admin)).body as Matrix).tasks.find((t) => t.key === "mid_year_it_report")!;
    expect((await call("GET", `/api/admin/tasks/${mid.id}/due-preview?dueOn=2026-01-08`, office)).status).toBe(403);
    const bad = await call("GET", `/api/admin/tasks/${mid.id}/due-preview?dueOn=08/01/2026`, admin);
    expect([bad.status, bad.body.code, bad.body.field]).toEqual([400, "invalid_due_date", "dueOn"]);
    // Monday 12/01 11:00: a date of Tuesday 06/01 has its late-6 round today at 08:00, still within the catch-up window.
    const past = await call("GET", `/api/admin/tasks/${mid.id}/due-preview?dueOn=2026-01-06`, admin);
    expect(past.body).toMatchObject({ past: true, immediate: true, step: { key: "late-6", at: "2026-01-12T01:00:00.000Z" }, owing: { schools: 15, offices: 3, other: 0 } });
    const future = await call("GET", `/api/admin/tasks/${mid.id}/due-preview?dueOn=2026-02-27`, admin);
    expect(future.body).toMatchObject({ past: false, immediate: false, step: { key: "before-7", at: "2026-02-20T01:00:00.000Z" } });
    const tooOld = await call("GET", `/api/admin/tasks/${mid.id}/due-preview?dueOn=2025-09-10`, admin);
    expect(tooOld.body).toMatchObject({ past: true, step: null });
    const tasks = (await call("GET", "/api/admin/tasks", admin)).body.tasks as { key: string; dueOn: string | null }[];
    expect(tasks.find((t) => t.key === "mid_year_it_report")?.dueOn).toBe("2026-01-20");
  });

  it("exports an office's own units only, narrowed by task and status", async () => {
    const mid = ((await call("GET", "/api/admin/tasks/matrix", admin)).body as Matrix).tasks.find((t) => t.key === "mid_year_it_report")!;
    const res = await fetch(`${running.url}/api/admin/tasks/export.xlsx?task=${mid.id}&status=todo`, { headers: { authorization: `Bearer ${office}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/spreadsheetml/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const grid = book.getWorksheet("Bảng theo dõi")!;
    expect(grid.columnCount).toBe(6);
    const codes: string[] = [];
    grid.eachRow((row, n) => n > 1 && codes.push(String(row.getCell(1).value)));
    expect(codes.sort()).toEqual(["MN-SAOMAI-VT", "PGD-VT", "TH-THANGNHAT-VT", "THCS-HKN-VT", "THCS-VANLANG-VT"]);
    const wrong = await call("GET", "/api/admin/tasks/export.xlsx?status=finished", admin);
    expect([wrong.status, wrong.body.code]).toEqual([400, "invalid_filter"]);
  });
});

describe("task button payloads", () => {
  it("round-trips done and snooze in the wire format buttons already sent use", () => {
    const buttons: TaskButton[] = [
      { kind: "done", taskId: 12, unitId: 345 },
      { kind: "snooze", reminderId: 9_007_199_254 },
    ];
    for (const button of buttons) expect(decodeTaskButton(encodeTaskButton(button))).toEqual(button);
    expect(encodeTaskButton({ kind: "done", taskId: 3, unitId: 17 })).toBe("#done:3:17");
    expect(encodeTaskButton({ kind: "snooze", reminderId: 88 })).toBe("#snooze:88");
    expect(decodeTaskButton("#done:3:17")).toEqual({ kind: "done", taskId: 3, unitId: 17 });
  });

  it("refuses malformed payloads", () => {
    for (const text of [
      "#done:3",
      "#done:3:",
      "#done:a:1",
      "#done:1:2:3",
      "#done:-1:2",
      "#done:0:2",
      "#done:1:2 ",
      "done:1:2",
      "#snooze:",
      "#snooze:1:2",
      "#snooze:1e3",
      "#snooze:99999999999999999999",
      "#follow:THPT-VT",
    ]) {
      expect(decodeTaskButton(text), text).toBeUndefined();
    }
    expect(() => encodeTaskButton({ kind: "snooze", reminderId: 1.5 })).toThrow();
  });
});
