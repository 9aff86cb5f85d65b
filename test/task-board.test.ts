import { readFileSync } from "node:fs";
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
