import { createHash, randomBytes } from "node:crypto";
import { desc, eq, isNull, and } from "drizzle-orm";
import type { Actor } from "../broadcast/broadcast-service.js";
import type { Channel } from "../core/types.js";
import type { Db } from "../db/database.js";
import { adminTokens, auditLog, units } from "../db/schema.js";

export const ADMIN_ROLES = ["department_admin", "office_admin", "viewer"] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

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
 * tokens). Every change is written to the audit log.
 */
export class AdminTokens {
  constructor(private readonly db: Db) {}

  create(input: { name: string; role: AdminRole; unitCode?: string | undefined; chat?: string | undefined }, actor: string, now: Date): { id: number; token: string } {
    const name = input.name.trim();
    if (name === "") throw new TokenError("--name must not be empty");
    if (!ADMIN_ROLES.includes(input.role)) throw new TokenError(`--role must be one of ${ADMIN_ROLES.join(", ")}`);
    let unitId: number | null = null;
    if (input.role === "office_admin") {
      if (!input.unitCode) throw new TokenError("--unit <code> is required for office_admin tokens");
      const unit = this.db.select({ id: units.id }).from(units).where(eq(units.code, input.unitCode)).get();
      if (!unit) throw new TokenError(`unknown unit code "${input.unitCode}"`);
      unitId = unit.id;
    }
    const chat = input.chat ? parseChat(input.chat) : undefined;
    const token = `sgd_${randomBytes(24).toString("base64url")}`;
    const id = this.db.transaction((tx) => {
      const row = tx
        .insert(adminTokens)
        .values({
          name,
          role: input.role,
          unitId,
          tokenHash: hash(token),
          chatChannel: chat?.channel ?? null,
          chatAddress: chat?.address ?? null,
          createdAt: now.getTime(),
        })
        .returning({ id: adminTokens.id })
        .get();
      tx.insert(auditLog)
        .values({ actor, action: "token.create", target: `token:${row.id}`, detail: JSON.stringify({ name, role: input.role, unit: input.unitCode ?? null }), at: now.getTime() })
        .run();
      return row.id;
    });
    return { id, token };
  }

  list(): TokenInfo[] {
    return this.db
      .select({ t: adminTokens, unitCode: units.code })
      .from(adminTokens)
      .leftJoin(units, eq(units.id, adminTokens.unitId))
      .orderBy(desc(adminTokens.id))
      .all()
      .map(({ t, unitCode }) => ({
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

  revoke(id: number, actor: string, now: Date): void {
    const changed = this.db
      .update(adminTokens)
      .set({ revokedAt: now.getTime() })
      .where(and(eq(adminTokens.id, id), isNull(adminTokens.revokedAt)))
      .run().changes;
    if (changed === 0) throw new TokenError(`no active token with id ${id}`);
    this.db.insert(auditLog).values({ actor, action: "token.revoke", target: `token:${id}`, at: now.getTime() }).run();
  }

  link(id: number, chat: string, actor: string, now: Date): void {
    const parsed = parseChat(chat);
    const changed = this.db
      .update(adminTokens)
      .set({ chatChannel: parsed.channel, chatAddress: parsed.address })
      .where(eq(adminTokens.id, id))
      .run().changes;
    if (changed === 0) throw new TokenError(`no token with id ${id}`);
    this.db.insert(auditLog).values({ actor, action: "token.link", target: `token:${id}`, detail: parsed.channel, at: now.getTime() }).run();
  }

  /** The actor behind a bearer token, or undefined when it is unknown or revoked. */
  authenticate(token: string, now: Date): Actor | undefined {
    if (!/^sgd_[A-Za-z0-9_-]{20,64}$/.test(token)) return undefined;
    const row = this.db.select().from(adminTokens).where(eq(adminTokens.tokenHash, hash(token))).get();
    if (!row || row.revokedAt !== null) return undefined;
    // Recording use at most once a minute keeps reads from turning into writes.
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt > 60_000) {
      this.db.update(adminTokens).set({ lastUsedAt: now.getTime() }).where(eq(adminTokens.id, row.id)).run();
    }
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
