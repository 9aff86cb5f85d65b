import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "../src/access/actor.js";
import { AuditLog } from "../src/access/audit-log.js";
import { AccessError, AccessScopes, assertCanWrite, canWrite } from "../src/access/scopes.js";
import { SqliteConversationStore } from "../src/db/conversation-store.js";
import { SqliteUnitTree } from "../src/db/unit-tree.js";
import { Linking } from "../src/registry/linking.js";
import { adminCall, FakeClock, startTestApp, type RunningApp } from "./support/test-app.js";
import { connectTestDatabase } from "./support/engine.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const SRC = join(import.meta.dirname, "..", "src");

/** The access module's contract: who reaches what, and one writer for every audited action. */
describe("access", () => {
  let running: RunningApp;
  let clock: FakeClock;
  let admin: string;
  let office: string;
  let viewer: string;

  const call = (method: string, path: string, token: string, body?: string | object, type?: string) =>
    adminCall(running.url, method, path, token, body, type);
  const query = <T>(statement: string, ...params: unknown[]): T[] => {
    const conn = connectTestDatabase(running.dbPath, { readonly: true });
    const rows = conn.prepare(statement).all(...params) as T[];
    conn.close();
    return rows;
  };
  const unitId = (code: string) => query<{ id: number }>("SELECT id FROM units WHERE code = ?", code)[0]?.id as number;

  beforeAll(async () => {
    clock = new FakeClock(new Date("2026-01-12T03:00:00Z"));
    running = await startTestApp({}, clock);
    admin = running.app.tokens.create({ name: "Sở", role: "department_admin" }, "test", clock.now()).token;
    viewer = running.app.tokens.create({ name: "viewer", role: "viewer" }, "test", clock.now()).token;
    const units = await call("POST", "/api/admin/imports/units", admin, readFileSync(join(FIXTURES, "units-sample.csv"), "utf8"), "text/csv");
    const people = await call("POST", "/api/admin/imports/people", admin, readFileSync(join(FIXTURES, "people-sample.csv"), "utf8"), "text/csv");
    expect([units.status, people.status]).toEqual([200, 200]);
    office = running.app.tokens.create({ name: "PGD VT", role: "office_admin", unitCode: "PGD-VT" }, "test", clock.now()).token;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await running.stop();
  });

  describe("scopes", () => {
    const department: Actor = { label: "dept", role: "department_admin", unitId: null };
    const readOnly: Actor = { label: "viewer", role: "viewer", unitId: null };
    const officeActor = (): Actor => ({ label: "office", role: "office_admin", unitId: unitId("PGD-VT") });
    const scopes = () => new AccessScopes(new SqliteUnitTree(running.app.database.db));

    it("an office admin reaches its own units and those under it, not another office's nor the Department's", () => {
      const s = scopes();
      expect(s.reaches(officeActor(), unitId("PGD-VT"))).toBe(true);
      expect(s.reaches(officeActor(), unitId("THCS-HKN-VT"))).toBe(true);
      expect(s.reaches(officeActor(), unitId("TH-KIMDONG-BR"))).toBe(false);
      expect(s.reaches(officeActor(), unitId("SGDDT"))).toBe(false);
      expect(s.reaches(officeActor(), null)).toBe(false);
      expect(s.unitCodeScope(officeActor())).toEqual(new Set(query<{ code: string }>("SELECT code FROM units WHERE code = 'PGD-VT' OR parent_id = ?", unitId("PGD-VT")).map((u) => u.code)));
    });

    it("the Department and viewers reach every unit", () => {
      for (const actor of [department, readOnly]) {
        expect(scopes().unitScope(actor)).toBeUndefined();
        expect(scopes().reaches(actor, unitId("TH-KIMDONG-BR"))).toBe(true);
        expect(scopes().reaches(actor, null)).toBe(true);
      }
    });

    it("a viewer cannot write; the others can", () => {
      expect([canWrite(department), canWrite(officeActor()), canWrite(readOnly)]).toEqual([true, true, false]);
      expect(() => assertCanWrite(readOnly)).toThrow(AccessError);
      expect(() => assertCanWrite(officeActor())).not.toThrow();
    });

    it("an object outside the scope gets the error of an object that does not exist", () => {
      const notFound = () => new Error("no such thing");
      const elsewhere = { unitId: unitId("TH-KIMDONG-BR") };
      expect(() => scopes().assertInScope(officeActor(), elsewhere, (o) => o.unitId, notFound)).toThrow("no such thing");
      expect(() => scopes().assertInScope(officeActor(), undefined, (o: { unitId: number }) => o.unitId, notFound)).toThrow("no such thing");
      const own = { unitId: unitId("THCS-HKN-VT") };
      expect(scopes().assertInScope(officeActor(), own, (o) => o.unitId, notFound)).toBe(own);
    });

    it("over HTTP: 404 (not 403) for someone outside the office, 403 for a viewer's write", async () => {
      const elsewhere = await call("DELETE", "/api/admin/people/CB0022/link", office);
      const nobody = await call("DELETE", "/api/admin/people/ZZ9999/link", office);
      expect([elsewhere.status, nobody.status]).toEqual([404, 404]);
      expect(String(elsewhere.body.error).replace("CB0022", "REF")).toBe(String(nobody.body.error).replace("ZZ9999", "REF"));
      expect((await call("POST", "/api/admin/people/CB0013/link-code", viewer)).status).toBe(403);
      const refused = await call("POST", "/api/admin/broadcasts", viewer, { title: "T", text: { vi: "x" } });
      expect(refused).toEqual({ status: 403, body: { error: "token: viewer tokens are read-only", code: "forbidden", field: "token" } });
    });
  });

  describe("the audit trail", () => {
    it("gets exactly one row per audited action, each written by the one audit writer", async () => {
      const writer = vi.spyOn(AuditLog.prototype, "record");
      const before = query<{ n: number }>("SELECT count(*) AS n FROM audit_log")[0]?.n ?? 0;
      const now = clock.now();
      const expected: string[] = [];
      const expectOk = (status: number, action?: string) => {
        expect(status).toBeLessThan(300);
        if (action) expected.push(action);
      };

      // tokens (from the command line)
      const spare = running.app.tokens.create({ name: "spare", role: "viewer" }, "cli:test", now);
      running.app.tokens.link(spare.id, "telegram:123456", "cli:test", now);
      running.app.tokens.revoke(spare.id, "cli:test", now);
      expected.push("token.create", "token.link", "token.revoke");

      // the registry: a dry run and refusals write nothing
      const row = "ref,name,role,unit_code,phone,email\nCB0013,Ngô Thị Bích Ngọc,it_lead,THCS-VANLANG-VT,0913 456 099,\n";
      expectOk((await call("POST", "/api/admin/imports/people?dryRun=true", office, row, "text/csv")).status);
      expectOk((await call("POST", "/api/admin/imports/people", office, row, "text/csv")).status, "import.people");
      expect((await call("POST", "/api/admin/imports/units", office, "code,name,type,level,parent_code\n", "text/csv")).status).toBe(403);
      const issued = await call("POST", "/api/admin/people/CB0013/link-code", office);
      expectOk(issued.status, "link_code.issue");
      // Redeemed from a Telegram chat: the web chat only points there (it never receives reminders).
      const ngoc = new SqliteConversationStore(running.app.database.db).touchUser("telegram", "4242", now);
      expect(new Linking(running.app.database.db).redeem(String(issued.body.code), "telegram", "4242", ngoc.id, now).ok).toBe(true);
      expected.push("link.redeem");
      expectOk((await call("DELETE", "/api/admin/people/CB0013/link", office)).status, "link.release");

      // broadcasts
      const created = await call("POST", "/api/admin/broadcasts", office, { title: "Họp", text: { vi: "Nội dung" }, sendAt: "2026-02-01T09:00" });
      expectOk(created.status, "broadcast.create");
      expectOk((await call("POST", `/api/admin/broadcasts/${String(created.body.id)}/cancel`, office, {})).status, "broadcast.cancel");

      // the school year
      expectOk((await call("POST", "/api/admin/years", admin, { name: "2026-2027" })).status, "year.open");
      const tasks = (await call("GET", "/api/admin/tasks?year=2026-2027", admin)).body.tasks as { id: number }[];
      const task = tasks[0]?.id;
      expectOk((await call("PATCH", `/api/admin/tasks/${task}`, admin, { dueOn: "2027-01-10" })).status, "task.update");
      expectOk((await call("PUT", `/api/admin/tasks/${task}/units/THCS-HKN-VT/status`, office, { status: "done" })).status, "task.status");

      const rows = query<{ action: string; actor: string }>("SELECT action, actor FROM audit_log ORDER BY id").slice(before);
      expect(rows.map((r) => r.action)).toEqual(expected);
      expect(writer).toHaveBeenCalledTimes(expected.length);
      expect(rows.filter((r) => r.action !== "link.redeem" && !r.action.startsWith("token.")).every((r) => /^token:\d+ (Sở|PGD VT)$/.test(r.actor))).toBe(true);
    });

    it("no module but the audit writer touches the audit_log table", () => {
      const files = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
      const touching = files.filter((f) => /\bauditLog\b|audit_log/.test(readFileSync(join(SRC, f), "utf8")));
      expect(touching.sort()).toEqual(["access/audit-log.ts", "db/pg/schema.ts", "db/schema.ts"]); // the writer and the two schemas
    });
  });
});
