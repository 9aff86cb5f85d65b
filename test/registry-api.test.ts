import { readFileSync } from "node:fs";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import QRCode from "qrcode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../src/db/schema.js";
import { dbWithEverySchoolYear } from "./support/every-school-tasks.js";
import { adminCall, FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";

const FIXTURES = join(import.meta.dirname, "fixtures");

describe("registry and school year through the admin API", () => {
  let running: RunningApp;
  let clock: FakeClock;
  let admin: string;
  let viewer: string;
  let office: string;

  const call = (method: string, path: string, token: string, body?: string | object, type?: string) =>
    adminCall(running.url, method, path, token, body, type);

  beforeAll(async () => {
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z"));
    // The Department has chosen to send the IT reports to every school (the sample has THCS schools).
    running = await startTestApp({ TELEGRAM_BOT_USERNAME: "sogd_test_bot" }, clock, dbWithEverySchoolYear("2025-2026", clock.now()));
    admin = running.app.tokens.create({ name: "admin", role: "department_admin" }, "test", clock.now()).token;
    viewer = running.app.tokens.create({ name: "viewer", role: "viewer" }, "test", clock.now()).token;
  });
  afterAll(async () => {
    await running.stop();
  });

  it("imports units from an uploaded CSV, department only; a dry run writes nothing; bad rows import nothing", async () => {
    const csv = readFileSync(join(FIXTURES, "units-sample.csv"), "utf8");
    expect((await call("POST", "/api/admin/imports/units", viewer, csv, "text/csv")).status).toBe(403);
    const dry = await call("POST", "/api/admin/imports/units?dryRun=true", admin, csv, "text/csv");
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ ok: true, dryRun: true, created: 19 });
    const bad = await call("POST", "/api/admin/imports/units", admin, "code,name,type,level,parent_code\nX1,Trường X,school,cap 4,SGDDT\n", "text/csv");
    expect(bad.status).toBe(400);
    // Each problem has a stable code and its values (the console words them), besides the English text.
    expect((bad.body.problems as { row: number; column: string }[])[0]).toEqual({ row: 2, column: "level", code: "unknown_level", params: { value: "cap 4" }, problem: 'unknown level "cap 4"' });
    const unreadable = await call("POST", "/api/admin/imports/units?dryRun=true", admin, `PK\u0003\u0004${"x".repeat(2000)}`, "application/octet-stream");
    expect(unreadable.status).toBe(400);
    expect(unreadable.body).toMatchObject({ code: "file_unreadable", messageVi: expect.any(String), messageEn: expect.any(String) });
    const real = await call("POST", "/api/admin/imports/units", admin, csv, "text/csv");
    expect(real.body).toMatchObject({ ok: true, created: 19 });
    const again = await call("POST", "/api/admin/imports/units", admin, csv, "text/csv");
    expect(again.body).toMatchObject({ ok: true, created: 0, unchanged: 19 });
  });

  it("lets an office admin import people only for its own units, and only people already there", async () => {
    office = running.app.tokens.create({ name: "PGD VT", role: "office_admin", unitCode: "PGD-VT" }, "test", clock.now()).token;
    expect((await call("POST", "/api/admin/imports/units", office, "code,name,type,level,parent_code\n", "text/csv")).status).toBe(403);
    const outside = await call(
      "POST",
      "/api/admin/imports/people",
      office,
      "ref,name,role,unit_code,phone,email\nCBX1,Nguyễn Văn A,it_lead,THCS-HKN-VT,,\nCBX2,Trần Văn B,it_lead,THPT-VT,,\n",
      "text/csv",
    );
    expect(outside.status).toBe(400);
    // New people are the Department's to add: an office changes only people already in its units.
    expect(outside.body.problems).toEqual([
      { row: 2, column: "ref", code: "ref_not_in_scope", params: { value: "CBX1" }, problem: expect.stringMatching(/^ref "CBX1" is not one of the people registered in your office's units/) },
      { row: 3, column: "ref", code: "ref_not_in_scope", params: { value: "CBX2" }, problem: expect.stringMatching(/^ref "CBX2" is not one of the people/) },
      { row: 3, column: "unit_code", code: "unit_outside_scope", params: { value: "THPT-VT" }, problem: 'unit "THPT-VT" is outside your office' },
    ]);
    const all = await call("POST", "/api/admin/imports/people", admin, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), "text/csv");
    expect(all.body.ok).toBe(true);
  });

  it("lists the unit tree, an office admin only its office and the schools under it", async () => {
    const all = (await call("GET", "/api/admin/units", admin)).body.units as { code: string; type: string; parentCode: string | null }[];
    expect(all.find((u) => u.code === "THPT-VT")).toMatchObject({ type: "school" });
    expect(all.filter((u) => u.type === "office").length).toBeGreaterThan(1);
    const mine = (await call("GET", "/api/admin/units", office)).body.units as { code: string; parentCode: string | null }[];
    expect(mine.map((u) => u.code).sort()).toEqual(["MN-SAOMAI-VT", "PGD-VT", "TH-THANGNHAT-VT", "THCS-HKN-VT", "THCS-VANLANG-VT"]);
  });

  it("issues a one-time link code with a Telegram deep link, scoped for office admins", async () => {
    const res = await call("POST", "/api/admin/people/CB0013/link-code", admin);
    expect(res.status).toBe(201);
    expect(res.body.code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/);
    expect(res.body.telegramLink).toBe(`https://t.me/sogd_test_bot?start=${String(res.body.code)}`);
    expect((await call("POST", "/api/admin/people/CB0001/link-code", office)).status).toBe(404);
    expect((await call("POST", "/api/admin/people/NOPE/link-code", admin)).status).toBe(404);
  });

  it("lists people in the caller's units with search and paging, contact details only as present or absent", async () => {
    const all = await call("GET", "/api/admin/people?limit=5", viewer);
    expect(all.status).toBe(200);
    expect(all.body.people).toHaveLength(5);
    expect(all.body.total).toBeGreaterThan(5);
    const first = (all.body.people as Record<string, unknown>[])[0] ?? {};
    expect(Object.keys(first).sort()).toEqual(["channels", "hasEmail", "hasPhone", "linked", "name", "reachOff", "reachOrder", "ref", "role", "unit"]);
    const next = await call("GET", "/api/admin/people?limit=5&offset=5", viewer);
    expect((next.body.people as { ref: string }[]).map((p) => p.ref)).not.toContain((first as { ref: string }).ref);
    // Search ignores tone marks; the unit filter narrows.
    const found = await call("GET", `/api/admin/people?q=${encodeURIComponent("bui thi kim")}`, admin);
    expect(found.body.people).toEqual([
      { ref: "CB0009", name: "Bùi Thị Kim Oanh", role: "it_lead", unit: { code: "MN-SAOMAI-VT", name: "Trường Mầm non Sao Mai" }, hasPhone: true, hasEmail: true, linked: false, channels: [], reachOff: [], reachOrder: [] },
    ]);
    expect((await call("GET", "/api/admin/people?role=principal", admin)).status).toBe(400);
    const leads = await call("GET", "/api/admin/people?role=it_lead&limit=200", admin);
    expect((leads.body.people as { role: string }[]).every((p) => p.role === "it_lead")).toBe(true);
    const school = await call("GET", "/api/admin/people?unit=MN-SAOMAI-VT", admin);
    expect((school.body.people as { unit: { code: string } }[]).every((p) => p.unit.code === "MN-SAOMAI-VT")).toBe(true);
    const mine = await call("GET", "/api/admin/people?limit=200", office);
    const codes = new Set((mine.body.people as { unit: { code: string } }[]).map((p) => p.unit.code));
    expect([...codes].every((c) => ["PGD-VT", "MN-SAOMAI-VT", "TH-THANGNHAT-VT", "THCS-HKN-VT", "THCS-VANLANG-VT"].includes(c))).toBe(true);
    expect(mine.body.total).toBeGreaterThan(0);
  });

  it("prints a school's link letter: a code and a QR of the deep link for each person not linked, scoped and audited", async () => {
    expect((await call("POST", "/api/admin/units/MN-SAOMAI-VT/link-letter", viewer, {})).status).toBe(403);
    expect((await call("POST", "/api/admin/units/THPT-VT/link-letter", office, {})).status).toBe(404);
    const res = await call("POST", "/api/admin/units/MN-SAOMAI-VT/link-letter", office, { itLeadsOnly: true });
    expect(res.status).toBe(201);
    expect(res.body.unit).toEqual({ code: "MN-SAOMAI-VT", name: "Trường Mầm non Sao Mai" });
    const people = res.body.people as { name: string; role: string; code: string; telegramLink: string; qrSvg: string; expiresAt: string }[];
    expect(people.map((p) => [p.name, p.role])).toEqual([["Bùi Thị Kim Oanh", "it_lead"]]);
    const [oanh] = people;
    expect(oanh?.telegramLink).toBe(`https://t.me/sogd_test_bot?start=${oanh?.code}`);
    expect(oanh?.qrSvg).toBe(await QRCode.toString(oanh?.telegramLink ?? "", { type: "svg", errorCorrectionLevel: "M", margin: 2 }));
    const validFor = Date.parse(oanh?.expiresAt ?? "") - clock.now().getTime();
    expect(Math.abs(validFor - 7 * 86_400_000)).toBeLessThan(60_000);
    const whole = await call("POST", "/api/admin/units/MN-SAOMAI-VT/link-letter", admin, {});
    expect((whole.body.people as { role: string }[]).map((p) => p.role)).toContain("school_leader");
    // The code printed first was replaced by the second letter's.
    const audited = running.app.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "link_code.issue"), eq(auditLog.target, "person:CB0009")))
      .all();
    expect(audited).toHaveLength(2);
  });

  it("documents the people list and the link letter in the OpenAPI document", async () => {
    const doc = (await call("GET", "/api/openapi.json", admin)).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/admin/people", "/api/admin/units/{code}/link-letter"]));
  });

  it("lists the year's tasks, edits a date, records statuses and shows who is late", async () => {
    const list = await call("GET", "/api/admin/tasks", viewer);
    expect(list.body.year).toBe("2025-2026");
    const tasks = list.body.tasks as { id: number; key: string; dueOn: string | null }[];
    const mid = tasks.find((t) => t.key === "mid_year_it_report");
    expect(mid?.dueOn).toBe("2026-01-20");
    expect(tasks.find((t) => t.key === "it_plan")?.dueOn).toBeNull();

    expect((await call("PATCH", `/api/admin/tasks/${mid?.id}`, office, { dueOn: "2026-01-10" })).status).toBe(403);
    expect((await call("PATCH", `/api/admin/tasks/${mid?.id}`, admin, { dueOn: "10/01/2026" })).status).toBe(400);
    expect((await call("PATCH", `/api/admin/tasks/${mid?.id}`, admin, { dueOn: "2026-01-10" })).status).toBe(200);

    expect((await call("PUT", `/api/admin/tasks/${mid?.id}/units/THCS-HKN-VT/status`, office, { status: "done", note: "đã nộp" })).status).toBe(200);
    expect((await call("PUT", `/api/admin/tasks/${mid?.id}/units/THPT-VT/status`, office, { status: "done" })).status).toBe(403);
    expect((await call("PUT", `/api/admin/tasks/${mid?.id}/units/THPT-VT/status`, admin, { status: "finished" })).status).toBe(400);

    const late = await call("GET", `/api/admin/tasks/${mid?.id}/late`, admin);
    expect(late.body.daysLate).toBe(2);
    const codes = (late.body.late as { code: string }[]).map((u) => u.code);
    expect(codes).toContain("THCS-VANLANG-VT");
    expect(codes).toContain("PGD-VT");
    expect(codes).not.toContain("THCS-HKN-VT");
    const officeView = await call("GET", `/api/admin/tasks/${mid?.id}/late`, office);
    expect((officeView.body.late as { code: string }[]).every((u) => ["PGD-VT", "MN-SAOMAI-VT", "TH-THANGNHAT-VT", "THCS-VANLANG-VT"].includes(u.code))).toBe(true);
  });

  it("opens another school year from the data file", async () => {
    const res = await call("POST", "/api/admin/years", admin, { name: "2026-2027" });
    expect(res.status).toBe(201);
    const next = await call("GET", "/api/admin/tasks?year=2026-2027", admin);
    expect((next.body.tasks as { key: string; dueOn: string | null }[]).find((t) => t.key === "end_of_year_it_report")?.dueOn).toBe("2027-05-20");
    expect((await call("POST", "/api/admin/years", admin, { name: "2026-2028" })).status).toBe(400);
  });
});
