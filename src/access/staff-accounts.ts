import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { z } from "zod";
import type { Logger } from "../core/conversation.js";
import type { Db } from "../db/database.js";
import { ADMIN_ROLES, type Actor, type AdminRole } from "./actor.js";
import { AuditLog } from "./audit-log.js";
import { SqliteStaffAccountStore, type StaffAccountRow, type StaffAccountUpdate } from "./staff-account-store.js";

/** A refusal with a stable code the console words itself (in Vietnamese); `field` names the input at fault. */
export class StaffError extends Error {
  override name = "StaffError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { error: this.field ? `${this.field}: ${this.message}` : this.message, code: this.code, ...(this.field ? { field: this.field } : {}), ...this.extra };
  }
}

export interface StaffUserView {
  login: string;
  name: string;
  role: AdminRole;
  unit: string | null;
  personRef: string | null;
  disabled: boolean;
  locked: boolean;
  hasPassword: boolean;
  lastSignInAt: string | null;
  createdAt: string;
}

export const PASSWORD_MIN_LENGTH = 10;
const PASSWORD_MAX_LENGTH = 200;
export const MAX_FAILED_PASSWORDS = 5;
export const LOCK_MINUTES = 15;
const SET_TOKEN_HOURS = 72;

// scrypt at N=2^15, r=8 (about 32 MiB, tens of ms): the parameters are stored with each hash so they can grow.
const SCRYPT = { N: 32768, r: 8, p: 1, keyLength: 32 };

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength } = SCRYPT;
  const key = await scryptAsync(password, salt, keyLength, { N, r, p, maxmem: 128 * N * r * 2 });
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split("$");
  if (kind !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64");
  const N = Number(n);
  const actual = await scryptAsync(password, Buffer.from(salt, "base64"), expected.length, { N, r: Number(r), p: Number(p), maxmem: 128 * N * Number(r) * 2 });
  return timingSafeEqual(actual, expected);
}

// Unknown logins still pay for one scrypt, so the answer's timing does not tell which logins exist.
let dummyHash: Promise<string> | undefined;

async function spendDummyScrypt(password: string): Promise<false> {
  await verifyPassword(password, await (dummyHash ??= hashPassword(randomBytes(16).toString("hex"))));
  return false;
}

export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

const loginSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._-]{2,64}$/, "must be 2-64 letters a-z, digits, dot, dash or underscore");
const nameSchema = z.string().trim().min(1, "must not be empty").max(200);
const roleSchema = z.enum(ADMIN_ROLES, { error: `must be one of ${ADMIN_ROLES.join(", ")}` });
const unitSchema = z.string().trim().min(1).max(64);
const refSchema = z.string().trim().min(1).max(64);

const createSchema = z.strictObject({ login: loginSchema, name: nameSchema, role: roleSchema, unit: unitSchema.optional(), personRef: refSchema.optional() });
const updateSchema = z.strictObject({
  name: nameSchema.optional(),
  role: roleSchema.optional(),
  unit: unitSchema.nullable().optional(),
  personRef: refSchema.nullable().optional(),
  disabled: z.boolean().optional(),
});

/** zod's first problem as a StaffError naming the field. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.join(".") || "body";
  const code = issue?.code === "unrecognized_keys" ? "unknown_field" : "invalid";
  const message = issue?.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.join(", ")}` : (issue?.message ?? "is invalid");
  throw new StaffError(400, code, message, issue?.code === "unrecognized_keys" ? (issue.keys[0] ?? field) : field);
}

/**
 * Staff accounts: who may sign in to the console, with what role, and their passwords. Passwords are hashed
 * with scrypt and a salt of their own; set-password tokens are random and only their hash is kept. Five wrong
 * passwords in a row lock the account for 15 minutes. Never logs a password, token or code.
 */
export class StaffAccounts {
  readonly store: SqliteStaffAccountStore;
  private readonly audit: AuditLog;

  constructor(
    db: Db,
    private readonly logger?: Logger,
  ) {
    this.store = new SqliteStaffAccountStore(db);
    this.audit = new AuditLog(db);
  }

  /** Creates an account without a password; returns it with a one-time set-password token. */
  create(body: unknown, actor: Actor | string, now: Date): { user: StaffUserView; token: string; expiresAt: Date } {
    const input = parseBody(createSchema, body);
    if (this.store.byLogin(input.login)) throw new StaffError(409, "login_taken", `"${input.login}" is already taken`, "login");
    const unitId = this.unitFor(input.role, input.unit);
    if (input.personRef !== undefined) this.assertPerson(input.personRef);
    const token = newToken();
    const expiresAt = new Date(now.getTime() + SET_TOKEN_HOURS * 3_600_000);
    const id = this.store.transaction((tx) => {
      const id = this.store.insert({ login: input.login, name: input.name, role: input.role, unitId, personRef: input.personRef ?? null, createdAt: now }, tx);
      this.store.update(id, { setTokenHash: sha256(token), setTokenExpiresAt: expiresAt.getTime() }, tx);
      this.audit.record({ actor, action: "staff.create", target: `staff:${input.login}`, detail: { name: input.name, role: input.role, unit: input.unit ?? null }, at: now }, tx);
      return id;
    });
    return { user: this.view(this.mustFind(id), now), token, expiresAt };
  }

  list(now: Date): StaffUserView[] {
    return this.store.list().map(({ row, unitCode }) => viewOf(row, unitCode, now));
  }

  get(login: string, now: Date): StaffUserView {
    return this.view(this.byLogin(login), now);
  }

  /** Name, role (with its unit), linked person, disabled. Disabling ends the account's sessions at once. */
  update(login: string, body: unknown, actor: Actor | string, now: Date): StaffUserView {
    const row = this.byLogin(login);
    const input = parseBody(updateSchema, body);
    const changes: StaffAccountUpdate = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.role !== undefined || input.unit !== undefined) {
      const role = input.role ?? row.role;
      const unitCode = input.unit === undefined ? (this.store.unitCodeOf(row.unitId) ?? undefined) : (input.unit ?? undefined);
      changes.role = role;
      changes.unitId = this.unitFor(role, unitCode);
    }
    if (input.personRef !== undefined) {
      if (input.personRef !== null) this.assertPerson(input.personRef);
      changes.personRef = input.personRef;
    }
    if (input.disabled !== undefined) changes.disabledAt = input.disabled ? (row.disabledAt ?? now.getTime()) : null;
    // The console keeps someone who can manage accounts (the CLI and bearer tokens would still work).
    const staysDepartmentAdmin = (changes.role ?? row.role) === "department_admin" && (input.disabled ?? row.disabledAt !== null) === false;
    if (row.role === "department_admin" && row.disabledAt === null && !staysDepartmentAdmin && this.store.otherActiveDepartmentAdmins(row.id) === 0) {
      throw new StaffError(409, "last_department_admin", "this is the only enabled Department admin account; make another one first", input.disabled ? "disabled" : "role");
    }
    this.store.transaction((tx) => {
      this.store.update(row.id, changes, tx);
      if (input.disabled === true) this.store.revokeSessions(row.id, now, tx);
      this.audit.record({ actor, action: "staff.update", target: `staff:${row.login}`, detail: input, at: now }, tx);
    });
    return this.view(this.mustFind(row.id), now);
  }

  /** A new one-time set-password token (the previous one stops working). */
  passwordLink(login: string, actor: Actor | string, now: Date): { token: string; expiresAt: Date } {
    const row = this.byLogin(login);
    const token = newToken();
    const expiresAt = new Date(now.getTime() + SET_TOKEN_HOURS * 3_600_000);
    this.store.transaction((tx) => {
      this.store.update(row.id, { setTokenHash: sha256(token), setTokenExpiresAt: expiresAt.getTime() }, tx);
      this.audit.record({ actor, action: "staff.password_link", target: `staff:${row.login}`, at: now }, tx);
    });
    return { token, expiresAt };
  }

  /** Sets the password through a set-password token; the token is used up, every open session ends, a lock lifts. */
  async setPassword(body: unknown, now: Date): Promise<{ login: string }> {
    const input = parseBody(z.strictObject({ token: z.string().min(1).max(200), password: z.string() }), body);
    const row = this.store.bySetTokenHash(sha256(input.token));
    if (!row || row.setTokenExpiresAt === null || row.setTokenExpiresAt <= now.getTime()) {
      throw new StaffError(400, "invalid_token", "this set-password link is unknown, used or expired; ask a Department admin for a new one", "token");
    }
    checkPassword(input.password, row.login);
    const passwordHash = await hashPassword(input.password);
    this.store.transaction((tx) => {
      this.store.update(row.id, { passwordHash, setTokenHash: null, setTokenExpiresAt: null, failedAttempts: 0, lockedUntil: null }, tx);
      this.store.revokeSessions(row.id, now, tx);
      this.audit.record({ actor: `staff:${row.login}`, action: "staff.password_set", target: `staff:${row.login}`, at: now }, tx);
    });
    return { login: row.login };
  }

  /** Checks a login and password; the account behind them, or a StaffError with the code the console shows. */
  async checkPassword(login: unknown, password: unknown, ip: string | undefined, now: Date): Promise<StaffAccountRow> {
    const name = typeof login === "string" ? login.trim().toLowerCase() : "";
    const secret = typeof password === "string" ? password.slice(0, PASSWORD_MAX_LENGTH + 1) : "";
    const row = name === "" ? undefined : this.store.byLogin(name);
    if (!row) {
      await spendDummyScrypt(secret);
      // Not the login given: people sometimes type their password into the login field.
      this.logger?.warn({ ip }, "staff sign-in failed: unknown login");
      throw invalidCredentials();
    }
    this.assertNotLocked(row, ip, now);
    // An account whose password is not set yet pays the same scrypt and never matches.
    const ok = row.passwordHash !== null ? await verifyPassword(secret, row.passwordHash) : await spendDummyScrypt(secret);
    if (!ok) {
      const locked = this.store.recordFailure(row.id, MAX_FAILED_PASSWORDS, new Date(now.getTime() + LOCK_MINUTES * 60_000));
      if (locked) {
        this.logger?.warn({ ip, login: row.login, minutes: LOCK_MINUTES }, `staff account locked after ${MAX_FAILED_PASSWORDS} wrong passwords`);
        this.audit.record({ actor: `ip:${ip ?? "unknown"}`, action: "staff.lock", target: `staff:${row.login}`, detail: { failedPasswords: MAX_FAILED_PASSWORDS, minutes: LOCK_MINUTES }, at: now });
        throw lockedError(LOCK_MINUTES);
      }
      this.logger?.warn({ ip, login: row.login }, "staff sign-in failed: wrong password");
      throw invalidCredentials();
    }
    this.assertEnabled(row);
    this.store.update(row.id, { failedAttempts: 0, lockedUntil: null });
    return row;
  }

  /** Refuses a locked account (whatever the password), naming the minutes left. */
  assertNotLocked(row: StaffAccountRow, ip: string | undefined, now: Date): void {
    if (row.lockedUntil !== null && row.lockedUntil > now.getTime()) {
      this.logger?.warn({ ip, login: row.login }, "staff sign-in refused: account locked");
      throw lockedError(Math.ceil((row.lockedUntil - now.getTime()) / 60_000));
    }
  }

  assertEnabled(row: StaffAccountRow): void {
    if (row.disabledAt !== null) throw new StaffError(401, "account_disabled", "this account is disabled; ask a Department admin");
  }

  view(row: StaffAccountRow, now: Date): StaffUserView {
    return viewOf(row, this.store.unitCodeOf(row.unitId), now);
  }

  private byLogin(login: string): StaffAccountRow {
    const row = this.store.byLogin(login.trim().toLowerCase());
    if (!row) throw new StaffError(404, "user_not_found", `no account "${login}"`, "login");
    return row;
  }

  private mustFind(id: number): StaffAccountRow {
    const row = this.store.byId(id);
    if (!row) throw new Error(`staff account ${id} vanished`);
    return row;
  }

  private unitFor(role: AdminRole, unitCode: string | undefined): number | null {
    if (role !== "office_admin") return null;
    if (!unitCode) throw new StaffError(400, "unit_required", "is required for office_admin accounts", "unit");
    const id = this.store.unitIdOf(unitCode);
    if (id === undefined) throw new StaffError(400, "unknown_unit", `unknown unit code "${unitCode}"`, "unit");
    return id;
  }

  private assertPerson(ref: string): void {
    if (!this.store.personExists(ref)) throw new StaffError(400, "unknown_person", `no person with ref "${ref}" in the registry`, "personRef");
  }
}

function checkPassword(password: string, login: string): void {
  if ([...password].length < PASSWORD_MIN_LENGTH) throw new StaffError(400, "password_too_short", `must be at least ${PASSWORD_MIN_LENGTH} characters`, "password");
  if (password.length > PASSWORD_MAX_LENGTH) throw new StaffError(400, "password_too_long", `must be at most ${PASSWORD_MAX_LENGTH} characters`, "password");
  if (password.trim().toLowerCase() === login) throw new StaffError(400, "password_is_login", "must not be the login", "password");
}

function invalidCredentials(): StaffError {
  return new StaffError(401, "invalid_credentials", "wrong login or password");
}

function lockedError(minutes: number): StaffError {
  return new StaffError(401, "account_locked", `too many wrong passwords; try again in ${minutes} minutes`, undefined, { retryAfterMinutes: minutes });
}

function newToken(): string {
  return randomBytes(32).toString("base64url");
}

function viewOf(row: StaffAccountRow, unitCode: string | null, now: Date): StaffUserView {
  return {
    login: row.login,
    name: row.name,
    role: row.role,
    unit: unitCode,
    personRef: row.personRef,
    disabled: row.disabledAt !== null,
    locked: row.lockedUntil !== null && row.lockedUntil > now.getTime(),
    hasPassword: row.passwordHash !== null,
    lastSignInAt: row.lastSignInAt ? new Date(row.lastSignInAt).toISOString() : null,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** The console's set-password page for a token. */
export function setPasswordLink(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/$/, "")}/admin/#/set-password/${token}`;
}

/** Where staff reach the console: PUBLIC_URL, else this host's port. */
export function consoleBaseUrl(publicUrl: string | undefined, port: number): string {
  return publicUrl ?? `http://localhost:${port}`;
}
