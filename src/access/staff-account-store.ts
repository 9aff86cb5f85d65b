import { and, desc, eq, inArray, isNull, ne, or, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { channelAddresses, people, staffAccounts, staffSessions, units } from "../db/schema.js";
import type { AdminRole } from "./actor.js";
import type { Tx } from "./audit-log.js";

export type StaffAccountRow = typeof staffAccounts.$inferSelect;
export type StaffAccountUpdate = Partial<Omit<StaffAccountRow, "id" | "login" | "createdAt">>;

/** Staff accounts in SQLite; logins are stored lower-cased. */
export class SqliteStaffAccountStore {
  constructor(readonly db: Db) {}

  unitIdOf(code: string): number | undefined {
    return this.db.select({ id: units.id }).from(units).where(eq(units.code, code)).get()?.id;
  }

  personExists(ref: string): boolean {
    return this.db.select({ id: people.id }).from(people).where(eq(people.ref, ref)).get() !== undefined;
  }

  insert(row: { login: string; name: string; role: AdminRole; unitId: number | null; personRef: string | null; createdAt: Date }, tx: Tx): number {
    return tx
      .insert(staffAccounts)
      .values({ ...row, createdAt: row.createdAt.getTime() })
      .returning({ id: staffAccounts.id })
      .get().id;
  }

  byLogin(login: string): StaffAccountRow | undefined {
    return this.db.select().from(staffAccounts).where(eq(staffAccounts.login, login)).get();
  }

  byId(id: number): StaffAccountRow | undefined {
    return this.db.select().from(staffAccounts).where(eq(staffAccounts.id, id)).get();
  }

  bySetTokenHash(hash: string): StaffAccountRow | undefined {
    return this.db.select().from(staffAccounts).where(eq(staffAccounts.setTokenHash, hash)).get();
  }

  unitCodeOf(unitId: number | null): string | null {
    if (unitId === null) return null;
    return this.db.select({ code: units.code }).from(units).where(eq(units.id, unitId)).get()?.code ?? null;
  }

  list(): { row: StaffAccountRow; unitCode: string | null }[] {
    return this.db
      .select({ row: staffAccounts, unitCode: units.code })
      .from(staffAccounts)
      .leftJoin(units, eq(units.id, staffAccounts.unitId))
      .orderBy(staffAccounts.login)
      .all();
  }

  /** Enabled Department admin accounts other than this one. */
  otherActiveDepartmentAdmins(id: number): number {
    return this.db
      .select({ id: staffAccounts.id })
      .from(staffAccounts)
      .where(and(eq(staffAccounts.role, "department_admin"), isNull(staffAccounts.disabledAt), ne(staffAccounts.id, id)))
      .all().length;
  }

  update(id: number, changes: StaffAccountUpdate, tx?: Tx): void {
    (tx ?? this.db).update(staffAccounts).set(changes).where(eq(staffAccounts.id, id)).run();
  }

  /** Ends every open session of the account (disabled, password changed); returns how many. */
  revokeSessions(accountId: number, at: Date, tx?: Tx): number {
    return (tx ?? this.db)
      .update(staffSessions)
      .set({ revokedAt: at.getTime() })
      .where(and(eq(staffSessions.accountId, accountId), isNull(staffSessions.revokedAt)))
      .run().changes;
  }

  /**
   * The chat a sign-in code can reach: the linked person's Telegram or Zalo address they wrote from last, among
   * the channels this process can send on, not marked unreachable.
   */
  linkedChat(personRef: string, channels: string[]): { channel: "telegram" | "zalo"; address: string } | undefined {
    const wanted = channels.filter((c): c is "telegram" | "zalo" => c === "telegram" || c === "zalo");
    if (wanted.length === 0) return undefined;
    return this.db
      .select({ channel: channelAddresses.channel, address: channelAddresses.address })
      .from(people)
      .innerJoin(channelAddresses, eq(channelAddresses.userId, people.userId))
      .where(and(eq(people.ref, personRef), inArray(channelAddresses.channel, wanted), isNull(channelAddresses.unreachableAt)))
      .orderBy(desc(channelAddresses.lastInboundAt))
      .get() as { channel: "telegram" | "zalo"; address: string } | undefined;
  }

  /** Whether the person has any linked Telegram or Zalo chat at all (configured here or not). */
  hasAnyLinkedChat(personRef: string): boolean {
    return (
      this.db
        .select({ id: channelAddresses.id })
        .from(people)
        .innerJoin(channelAddresses, eq(channelAddresses.userId, people.userId))
        .where(and(eq(people.ref, personRef), or(eq(channelAddresses.channel, "telegram"), eq(channelAddresses.channel, "zalo"))))
        .get() !== undefined
    );
  }

  /**
   * Counts one wrong password; the `max`-th in a row locks the account until `lockedUntil` and starts the count
   * again. Done in SQL so that concurrent attempts each count. Returns whether this attempt locked it.
   */
  recordFailure(id: number, max: number, lockedUntil: Date): boolean {
    return this.db.transaction((tx) => {
      const { failed } = tx
        .update(staffAccounts)
        .set({ failedAttempts: sql`${staffAccounts.failedAttempts} + 1` })
        .where(eq(staffAccounts.id, id))
        .returning({ failed: staffAccounts.failedAttempts })
        .get() ?? { failed: 0 };
      if (failed < max) return false;
      tx.update(staffAccounts).set({ failedAttempts: 0, lockedUntil: lockedUntil.getTime() }).where(eq(staffAccounts.id, id)).run();
      return true;
    });
  }

  /** Counts one wrong sign-in code; returns the wrong tries so far. */
  recordCodeFailure(id: number): number {
    return (
      this.db
        .update(staffAccounts)
        .set({ codeTries: sql`${staffAccounts.codeTries} + 1` })
        .where(eq(staffAccounts.id, id))
        .returning({ tries: staffAccounts.codeTries })
        .get()?.tries ?? 0
    );
  }

  transaction<T>(fn: (tx: Tx) => T): T {
    return this.db.transaction(fn);
  }
}
