import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { staffAccounts, staffSessions } from "../db/schema.js";
import type { StaffAccountRow } from "./staff-account-store.js";

export type StaffSessionRow = typeof staffSessions.$inferSelect;

/** Console sessions in SQLite, keyed by the hash of the cookie's id. */
export class SqliteStaffSessionStore {
  constructor(private readonly db: Db) {}

  insert(row: { idHash: string; accountId: number; createdAt: Date; expiresAt: Date }): void {
    const at = row.createdAt.getTime();
    this.db.insert(staffSessions).values({ idHash: row.idHash, accountId: row.accountId, createdAt: at, lastSeenAt: at, expiresAt: row.expiresAt.getTime() }).run();
  }

  /** The open session with its account. */
  byHash(idHash: string): { session: StaffSessionRow; account: StaffAccountRow } | undefined {
    return this.db
      .select({ session: staffSessions, account: staffAccounts })
      .from(staffSessions)
      .innerJoin(staffAccounts, eq(staffAccounts.id, staffSessions.accountId))
      .where(and(eq(staffSessions.idHash, idHash), isNull(staffSessions.revokedAt)))
      .get();
  }

  touch(id: number, at: Date): void {
    this.db.update(staffSessions).set({ lastSeenAt: at.getTime() }).where(eq(staffSessions.id, id)).run();
  }

  /** Whether an open session was ended. */
  revoke(id: number, at: Date): boolean {
    return this.db.update(staffSessions).set({ revokedAt: at.getTime() }).where(and(eq(staffSessions.id, id), isNull(staffSessions.revokedAt))).run().changes > 0;
  }

  /** Deletes sessions that ended before `before` (expired or revoked); returns how many. */
  deleteEnded(before: Date, idleMs: number): number {
    const t = before.getTime();
    return this.db
      .delete(staffSessions)
      .where(or(lt(staffSessions.expiresAt, t), lt(staffSessions.lastSeenAt, t - idleMs), lt(staffSessions.revokedAt, t)))
      .run().changes;
  }
}
