import type { AdminRole } from "../../src/access/actor.js";
import type { RunningApp } from "./test-app.js";

export const PASSWORD = "mật khẩu đủ dài 2026";

/** A staff account with a password, made as a Department admin would (create, then the set-password link). */
export async function staffAccount(
  running: RunningApp,
  login: string,
  role: AdminRole = "department_admin",
  extra: { name?: string; unit?: string; personRef?: string } = {},
): Promise<void> {
  const now = running.clock.now();
  const { token } = running.app.staffAccounts.create(
    { login, name: extra.name ?? `Cán bộ ${login}`, role, ...(extra.unit ? { unit: extra.unit } : {}), ...(extra.personRef ? { personRef: extra.personRef } : {}) },
    "test",
    now,
  );
  await running.app.staffAccounts.setPassword({ token, password: PASSWORD }, now);
}

