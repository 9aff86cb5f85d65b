import { createHash, randomBytes } from "node:crypto";
import type { Channel } from "../core/types.js";
import type { Db } from "../db/database.js";
import { ADMIN_ROLES, type Actor, type AdminRole, type Authenticator } from "./actor.js";
import { SqliteAdminTokenStore } from "./admin-token-store.js";
import { AuditLog } from "./audit-log.js";

export { ADMIN_ROLES, type AdminRole } from "./actor.js";

export interface TokenInfo {
  id: number;
  name: string;
  role: AdminRole;
  unit: string | null;
  chat: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export class TokenError extends Error {
  override name = "TokenError";
}

function hash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Admin API tokens: random, shown once, stored only as a SHA-256 hash (a leaked database does not leak
 * tokens). Every change is written to the audit log. `actor` is who makes the change (a label such as "cli:ana").
 */
export class AdminTokens implements Authenticator {
  private readonly store: SqliteAdminTokenStore;
  private readonly audit: AuditLog;

  constructor(db: Db) {
    this.store = new SqliteAdminTokenStore(db);
    this.audit = new AuditLog(db);
  }

  create(input: { name: string; role: AdminRole; unitCode?: string | undefined; chat?: string | undefined }, actor: Actor | string, now: Date): { id: number; token: string } {
    const name = input.name.trim();
    if (name === "") throw new TokenError("--name must not be empty");
    if (!ADMIN_ROLES.includes(input.role)) throw new TokenError(`--role must be one of ${ADMIN_ROLES.join(", ")}`);
    let unitId: number | null = null;
    if (input.role === "office_admin") {
      if (!input.unitCode) throw new TokenError("--unit <code> is required for office_admin tokens");
      const found = this.store.unitIdOf(input.unitCode);
      if (found === undefined) throw new TokenError(`unknown unit code "${input.unitCode}"`);
      unitId = found;
    }
    const chat = input.chat ? parseChat(input.chat) : undefined;
    const token = `sgd_${randomBytes(24).toString("base64url")}`;
    const id = this.store.transaction((tx) => {
      const id = this.store.insert({ name, role: input.role, unitId, tokenHash: hash(token), chat, createdAt: now }, tx);
      this.audit.record({ actor, action: "token.create", target: `token:${id}`, detail: { name, role: input.role, unit: input.unitCode ?? null }, at: now }, tx);
      return id;
    });
    return { id, token };
  }

  list(): TokenInfo[] {
    return this.store.list().map(({ row: t, unitCode }) => ({
      id: t.id,
      name: t.name,
      role: t.role,
      unit: unitCode,
      chat: t.chatChannel ? `${t.chatChannel}:${t.chatAddress}` : null,
      createdAt: new Date(t.createdAt).toISOString(),
      lastUsedAt: t.lastUsedAt ? new Date(t.lastUsedAt).toISOString() : null,
      revokedAt: t.revokedAt ? new Date(t.revokedAt).toISOString() : null,
    }));
  }

  revoke(id: number, actor: Actor | string, now: Date): void {
    this.store.transaction((tx) => {
      if (!this.store.revoke(id, now, tx)) throw new TokenError(`no active token with id ${id}`);
      this.audit.record({ actor, action: "token.revoke", target: `token:${id}`, at: now }, tx);
    });
  }

  link(id: number, chat: string, actor: Actor | string, now: Date): void {
    const parsed = parseChat(chat);
    this.store.transaction((tx) => {
      if (!this.store.setChat(id, parsed, tx)) throw new TokenError(`no token with id ${id}`);
      this.audit.record({ actor, action: "token.link", target: `token:${id}`, detail: parsed.channel, at: now }, tx);
    });
  }

  /** The actor behind a bearer token, or undefined when it is unknown or revoked. */
  authenticate(token: string, now: Date): Actor | undefined {
    if (!/^sgd_[A-Za-z0-9_-]{20,64}$/.test(token)) return undefined;
    const row = this.store.byHash(hash(token));
    if (!row || row.revokedAt !== null) return undefined;
    // Recording use at most once a minute keeps reads from turning into writes.
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt > 60_000) this.store.touch(row.id, now);
    return {
      label: `token:${row.id} ${row.name}`,
      role: row.role,
      unitId: row.unitId,
      chat: row.chatChannel && row.chatAddress ? { channel: row.chatChannel as Channel, address: row.chatAddress } : undefined,
    };
  }
}

function parseChat(value: string): { channel: Channel; address: string } {
  const m = /^(telegram|zalo):(-?[\w-]{1,64})$/.exec(value.trim());
  if (!m) throw new TokenError('--chat must look like "telegram:123456789" or "zalo:<user id>"');
  return { channel: m[1] as Channel, address: m[2] as string };
}
