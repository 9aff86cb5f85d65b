import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { adminTokens, units } from "../db/schema.js";
import type { AdminRole } from "./actor.js";
import type { Tx } from "./audit-log.js";

export type AdminTokenRow = typeof adminTokens.$inferSelect;

/** Admin tokens in SQLite: rows keyed by the token's hash. */
export class SqliteAdminTokenStore {
  constructor(readonly db: Db) {}

  unitIdOf(code: string): number | undefined {
    return this.db.select({ id: units.id }).from(units).where(eq(units.code, code)).get()?.id;
  }

  insert(
    row: { name: string; role: AdminRole; unitId: number | null; tokenHash: string; chat: { channel: string; address: string } | undefined; createdAt: Date },
    tx: Tx,
  ): number {
    return tx
      .insert(adminTokens)
      .values({
        name: row.name,
        role: row.role,
        unitId: row.unitId,
        tokenHash: row.tokenHash,
        chatChannel: row.chat?.channel ?? null,
        chatAddress: row.chat?.address ?? null,
        createdAt: row.createdAt.getTime(),
      })
      .returning({ id: adminTokens.id })
      .get().id;
  }

  /** Newest first, with the office's unit code. */
  list(): { row: AdminTokenRow; unitCode: string | null }[] {
    return this.db
      .select({ row: adminTokens, unitCode: units.code })
      .from(adminTokens)
      .leftJoin(units, eq(units.id, adminTokens.unitId))
      .orderBy(desc(adminTokens.id))
      .all();
  }

  /** Whether an active token was revoked. */
  revoke(id: number, at: Date, tx: Tx): boolean {
    return tx.update(adminTokens).set({ revokedAt: at.getTime() }).where(and(eq(adminTokens.id, id), isNull(adminTokens.revokedAt))).run().changes > 0;
  }

  /** Whether the token exists. */
  setChat(id: number, chat: { channel: string; address: string }, tx: Tx): boolean {
    return tx.update(adminTokens).set({ chatChannel: chat.channel, chatAddress: chat.address }).where(eq(adminTokens.id, id)).run().changes > 0;
  }

  byHash(tokenHash: string): AdminTokenRow | undefined {
    return this.db.select().from(adminTokens).where(eq(adminTokens.tokenHash, tokenHash)).get();
  }

  touch(id: number, at: Date): void {
    this.db.update(adminTokens).set({ lastUsedAt: at.getTime() }).where(eq(adminTokens.id, id)).run();
  }

  transaction<T>(fn: (tx: Tx) => T): T {
    return this.db.transaction(fn);
  }
}
