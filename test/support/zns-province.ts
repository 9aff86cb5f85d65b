import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { dbWithEverySchoolYear } from "./every-school-tasks.js";
import { startFakeZalo, type FakeZalo } from "./fake-zalo.js";
import { adminCall, FakeClock, startTestApp, type RunningApp } from "./test-app.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");

/**
 * The product with Zalo and ZNS (against the fake Zalo server) on the sample registry and the 2025-2026 school
 * year, the clock at 12/01/2026, and admin tokens of the three roles.
 */
export async function startZnsProvince(monthlyBudget: number): Promise<{ zalo: FakeZalo; running: RunningApp; admin: string; office: string; viewer: string }> {
  const clock = new FakeClock(new Date("2026-01-12T03:00:00Z"));
  const zalo = await startFakeZalo({ now: () => clock.now().getTime() });
  const running = await startTestApp(
    { ...zalo.productEnv(zalo.issueTokens()), ZALO_BUSINESS_BASE: zalo.baseUrl, ZNS_MONTHLY_BUDGET: String(monthlyBudget) },
    clock,
    dbWithEverySchoolYear("2025-2026", clock.now()),
  );
  const admin = running.app.tokens.create({ name: "admin", role: "department_admin" }, "test", clock.now()).token;
  for (const kind of ["units", "people"]) {
    const res = await adminCall(running.url, "POST", `/api/admin/imports/${kind}`, admin, readFileSync(join(FIXTURES, `${kind}-sample.csv`), "utf8"), "text/csv");
    expect(res.status).toBe(200);
  }
  const office = running.app.tokens.create({ name: "PGD VT", role: "office_admin", unitCode: "PGD-VT" }, "test", clock.now()).token;
  const viewer = running.app.tokens.create({ name: "xem", role: "viewer" }, "test", clock.now()).token;
  return { zalo, running, admin, office, viewer };
}
