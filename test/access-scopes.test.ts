import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importPeople } from "../src/registry/people-import.js";
import { importUnits } from "../src/registry/units-import.js";
import { dbWithEverySchoolYear } from "./support/every-school-tasks.js";
import { adminCall, FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const HEADER = "ref,name,role,unit_code,phone,email";

/** What an office admin (PGD Vũng Tàu) may reach, and what it must not even learn exists. */
describe("an office admin stays inside its office", () => {
  let running: RunningApp;
  let clock: FakeClock;
  let admin: string;
  let office: string;

  const call = (method: string, path: string, token: string, body?: string | object, type?: string) =>
    adminCall(running.url, method, path, token, body, type);
  const importCsv = (token: string, rows: string[], dryRun = false) =>
    call("POST", `/api/admin/imports/people${dryRun ? "?dryRun=true" : ""}`, token, [HEADER, ...rows, ""].join("\n"), "text/csv");
  const personRow = (ref: string) => {
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const row = conn
      .prepare("SELECT p.name, p.phone, p.email, u.code AS unit FROM people p JOIN units u ON u.id = p.unit_id WHERE p.ref = ?")
      .get(ref);
    conn.close();
    return row;
  };

  beforeAll(async () => {
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z"));
    // The IT reports go to every school here, so each school marked below is one the task applies to.
    running = await startTestApp({}, clock, dbWithEverySchoolYear("2025-2026", clock.now()));
    const now = clock.now();
    expect(importUnits(running.app.database, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
    expect(importPeople(running.app.database, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), { dryRun: false, now }).ok).toBe(true);
    admin = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", now).token;
    office = running.app.tokens.create({ name: "PGD VT", role: "office_admin", unitCode: "PGD-VT" }, "test", now).token;
    // Three staff chats: one in a Vũng Tàu school, one in a Bà Rịa school, one in the Department.
    const conn = connectTestDatabase(running.dbPath);
    const t = now.getTime();
    for (const [id, unit] of [
      [1, "THCS-HKN-VT"],
      [2, "TH-KIMDONG-BR"],
      [3, "SGDDT"],
    ] as const) {
      conn.prepare("INSERT INTO users (id, role, subscribed, created_at, last_seen_at) VALUES (?, 'it_lead', TRUE, ?, ?)").run(id, t, t);
      conn.prepare("INSERT INTO channel_addresses (user_id, channel, address, last_inbound_at, created_at) VALUES (?, 'zalo', ?, ?, ?)").run(id, `z${id}`, t, t);
      conn.prepare("INSERT INTO user_units (user_id, unit_id, created_at) SELECT ?, id, ? FROM units WHERE code = ?").run(id, t, unit);
    }
    conn.close();
  });
  afterAll(async () => {
    await running.stop();
  });

  describe("people imports", () => {
    const before = () => personRow("CB0022"); // IT lead of TH Kim Đồng, in the Bà Rịa office

    it("refuses another office's ref with the answer a ref that exists nowhere gets, and changes nothing", async () => {
      const original = before();
      const takeover = await importCsv(office, ["CB0022,Kẻ Mạo Danh,it_lead,THCS-HKN-VT,0999 999 999,evil@example.com"]);
      const unknown = await importCsv(office, ["ZZ9999,Kẻ Mạo Danh,it_lead,THCS-HKN-VT,0999 999 999,evil@example.com"]);
      expect(takeover.status).toBe(400);
      expect(unknown.status).toBe(400);
      const problem = (r: { body: Record<string, unknown> }) =>
        (r.body.problems as { problem: string }[]).map((p) => p.problem.replace(/"(CB0022|ZZ9999)"/, "REF"));
      expect(problem(takeover)).toEqual(problem(unknown));
      expect(JSON.stringify(takeover.body)).not.toMatch(/PGD-BR|TH-KIMDONG|Mai Thị|exists|already/i);
      expect(personRow("CB0022")).toEqual(original);
      expect(personRow("ZZ9999")).toBeUndefined();
    });

    it("gives the same answer to a dry run, and a letter-case slip does not reveal a ref elsewhere", async () => {
      const takeover = await importCsv(office, ["CB0022,X,it_lead,THCS-HKN-VT,,"], true);
      const unknown = await importCsv(office, ["ZZ9999,X,it_lead,THCS-HKN-VT,,"], true);
      expect([takeover.status, unknown.status]).toEqual([400, 400]);
      expect(JSON.stringify(takeover.body).replaceAll("CB0022", "REF")).toBe(JSON.stringify(unknown.body).replaceAll("ZZ9999", "REF"));
      const cased = await importCsv(office, ["cb0022,X,it_lead,THCS-HKN-VT,,"], true);
      expect(JSON.stringify(cased.body)).not.toContain("CB0022");
    });

    it("still lets the office update its own people, within its units", async () => {
      const res = await importCsv(office, ["CB0013,Ngô Thị Bích Ngọc,it_lead,THCS-VANLANG-VT,0913 456 099,"]);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: true, updated: 1 });
      expect(personRow("CB0013")).toMatchObject({ unit: "THCS-VANLANG-VT", phone: "0913456099" });
      // and the Department may still create people and move them anywhere
      expect((await importCsv(admin, ["CB0013,Ngô Thị Bích Ngọc,it_lead,THCS-HKN-VT,0913 456 013,"])).status).toBe(200);
    });

    it("answers a link code for someone outside the office with the 404 of no one", async () => {
      const elsewhere = await call("POST", "/api/admin/people/CB0022/link-code", office);
      const nobody = await call("POST", "/api/admin/people/ZZ9999/link-code", office);
      expect([elsewhere.status, nobody.status]).toEqual([404, 404]);
      expect(String(elsewhere.body.error).replace("CB0022", "REF")).toBe(String(nobody.body.error).replace("ZZ9999", "REF"));
    });
  });

  describe("broadcasts", () => {
    const create = (token: string, body: object) =>
      call("POST", "/api/admin/broadcasts", token, { title: "Thông báo", text: { vi: "Nội dung" }, sendAt: "2026-02-01T09:00", ...body });

    it("hides a Department broadcast aimed at the office: it cannot be seen, tested or cancelled (404 like an unknown id)", async () => {
      const dept = await create(admin, { audience: { units: ["PGD-VT"] } });
      expect(dept.status).toBe(201);
      const id = Number(dept.body.id);
      const unknown = await call("GET", "/api/admin/broadcasts/999999", office);
      for (const [method, path] of [
        ["GET", `/api/admin/broadcasts/${id}`],
        ["POST", `/api/admin/broadcasts/${id}/cancel`],
        ["POST", `/api/admin/broadcasts/${id}/test`],
        ["GET", `/api/admin/broadcasts/${id}/deliveries.csv`],
      ] as const) {
        const res = await call(method, path, office, method === "POST" ? {} : undefined);
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(String(res.body.error).replace(String(id), "N")).toBe(String(unknown.body.error).replace("999999", "N"));
      }
      expect((await call("GET", `/api/admin/broadcasts/${id}`, admin)).body.status).toBe("scheduled");
      const listed = (await call("GET", "/api/admin/broadcasts", office)).body.broadcasts as { id: number }[];
      expect(listed.map((b) => b.id)).not.toContain(id);
    });

    it("keeps the office's own broadcasts on its list however many the Department sends, and pages the list", async () => {
      const own = await create(office, {});
      expect(own.status).toBe(201);
      for (let i = 0; i < 55; i++) expect((await create(admin, { audience: { units: ["PGD-VT"] } })).status).toBe(201);
      const officeList = await call("GET", "/api/admin/broadcasts", office);
      expect((officeList.body.broadcasts as { id: number }[]).map((b) => b.id)).toEqual([Number(own.body.id)]);
      expect(officeList.body.nextBefore).toBeNull();
      // The office's own broadcast is the office's to cancel.
      expect((await call("POST", `/api/admin/broadcasts/${String(own.body.id)}/cancel`, office, {})).body.status).toBe("cancelled");

      const seen: number[] = [];
      let path = "/api/admin/broadcasts?limit=20";
      for (;;) {
        const page = await call("GET", path, admin);
        seen.push(...(page.body.broadcasts as { id: number }[]).map((b) => b.id));
        if (page.body.nextBefore === null) break;
        path = `/api/admin/broadcasts?limit=20&before=${String(page.body.nextBefore)}`;
      }
      expect(seen).toHaveLength(57);
      expect(new Set(seen).size).toBe(57);
      expect(seen).toContain(Number(own.body.id));
      expect((await call("GET", "/api/admin/broadcasts?limit=0", admin)).status).toBe(400);
    });

    it("counts an audience only inside the office", async () => {
      const count = async (token: string, audience: object) => call("POST", "/api/admin/audiences/count", token, { audience });
      expect(((await count(admin, {})).body as { total: number }).total).toBe(3);
      expect(((await count(office, {})).body as { total: number }).total).toBe(1);
      expect(((await count(office, { roles: ["it_lead"] })).body as { total: number }).total).toBe(1);
      const outside = await count(office, { units: ["TH-KIMDONG-BR"] });
      expect(outside.status).toBe(403);
      expect(outside.body.field).toBe("audience.units[0]");
    });
  });

  it("shows an office admin task counts of its own units only", async () => {
    const tasks = (await call("GET", "/api/admin/tasks", admin)).body.tasks as { id: number; key: string }[];
    const mid = tasks.find((t) => t.key === "mid_year_it_report");
    expect(mid).toBeDefined();
    for (const code of ["THCS-HKN-VT", "TH-KIMDONG-BR", "THCS-NTD-BR", "THPT-VT"]) {
      expect((await call("PUT", `/api/admin/tasks/${mid?.id}/units/${code}/status`, admin, { status: "done" })).status).toBe(200);
    }
    const statuses = async (token: string) =>
      ((await call("GET", "/api/admin/tasks", token)).body.tasks as { id: number; statuses: Record<string, number> }[]).find((t) => t.id === mid?.id)
        ?.statuses;
    // Every unit the task applies to counts: 3 offices and 15 schools in the province, PGD-VT and its 4 schools.
    expect(await statuses(admin)).toEqual({ todo: 14, done: 4, not_applicable: 0 });
    expect(await statuses(office)).toEqual({ todo: 4, done: 1, not_applicable: 0 });
  });
});
