import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "../db/database.js";
import type { Actor, Authenticator } from "./actor.js";
import { AuditLog } from "./audit-log.js";
import { SqliteStaffAccountStore, type StaffAccountRow } from "./staff-account-store.js";
import { sha256 } from "./staff-accounts.js";
import { SqliteStaffSessionStore, type StaffSessionRow } from "./staff-session-store.js";

export interface SessionLimits {
  /** a session ends after this long without a request */
  idleMs: number;
  /** and this long after sign-in whatever the activity */
  maxMs: number;
}

export interface OpenSession {
  account: StaffAccountRow;
  session: StaffSessionRow;
}

/**
 * Console sessions, kept on the server: the cookie carries a random id (only its hash is stored), a session
 * ends when idle too long, when it is too old, at sign-out, or when its account is disabled or its password
 * changes. Each session has its own CSRF token, derived from its id, that changing requests must echo.
 */
export class StaffSessions implements Authenticator {
  private readonly store: SqliteStaffSessionStore;
  private readonly accounts: SqliteStaffAccountStore;
  private readonly audit: AuditLog;

  constructor(
    db: Db,
    private readonly limits: SessionLimits,
  ) {
    this.store = new SqliteStaffSessionStore(db);
    this.accounts = new SqliteStaffAccountStore(db);
    this.audit = new AuditLog(db);
  }

  /** Starts a session for an account that proved who it is (and forgets ended ones); the id goes in the cookie only. */
  open(account: StaffAccountRow, how: "password" | "code", ip: string | undefined, now: Date): { id: string; csrfToken: string } {
    this.store.deleteEnded(now, this.limits.idleMs);
    const id = randomBytes(32).toString("base64url");
    this.store.insert({ idHash: sha256(id), accountId: account.id, createdAt: now, expiresAt: new Date(now.getTime() + this.limits.maxMs) });
    this.audit.record({ actor: actorLabel(account), action: "staff.sign_in", target: `staff:${account.login}`, detail: { method: how, ip: ip ?? null }, at: now });
    return { id, csrfToken: csrfTokenOf(id) };
  }

  /** The open session behind a cookie value; touching it keeps it alive. */
  find(id: string, now: Date): OpenSession | undefined {
    if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
    const found = this.store.byHash(sha256(id));
    if (!found) return undefined;
    const t = now.getTime();
    const { session, account } = found;
    if (t >= session.expiresAt || t - session.lastSeenAt >= this.limits.idleMs || account.disabledAt !== null) return undefined;
    // Writing at most once a minute keeps reads from all turning into writes.
    if (t - session.lastSeenAt > 60_000) this.store.touch(session.id, now);
    return found;
  }

  authenticate(id: string, now: Date): Actor | undefined {
    const found = this.find(id, now);
    if (!found) return undefined;
    // The linked person's chat is the actor's own, for test sends.
    const ref = found.account.personRef;
    return { ...actorOf(found.account), chat: ref ? this.accounts.linkedChat(ref, ["telegram", "zalo"]) : undefined };
  }

  /** Whether the header matches the session's CSRF token (compared in constant time). */
  csrfMatches(id: string, header: string | undefined): boolean {
    if (!header) return false;
    const expected = Buffer.from(csrfTokenOf(id));
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  csrfToken(id: string): string {
    return csrfTokenOf(id);
  }

  /** Sign-out: the session ends at once. Returns whether there was one. */
  close(id: string, ip: string | undefined, now: Date): boolean {
    const found = this.find(id, now);
    if (!found || !this.store.revoke(found.session.id, now)) return false;
    this.audit.record({ actor: actorLabel(found.account), action: "staff.sign_out", target: `staff:${found.account.login}`, detail: { ip: ip ?? null }, at: now });
    return true;
  }

}

function csrfTokenOf(id: string): string {
  return sha256(`csrf:${id}`);
}

function actorLabel(account: StaffAccountRow): string {
  return `staff:${account.login}`;
}

/** The same Actor a bearer token gives: role and unit come from the account as it is now. */
export function actorOf(account: StaffAccountRow): Actor {
  return { label: actorLabel(account), role: account.role, unitId: account.unitId };
}
