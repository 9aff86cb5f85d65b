import { eq, inArray } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { channelAddresses, people, units } from "../db/schema.js";
import type { Tx } from "../access/audit-log.js";
import type { PersonRole } from "./people-import.js";
import { parseOrder, storedOrder } from "../reach/reach-order.js";

/** A person of the registry as the console lists them: contact details only as present or not. */
export interface PersonRow {
  ref: string;
  name: string;
  role: PersonRole;
  unitId: number;
  unitCode: string;
  unitName: string;
  hasPhone: boolean;
  hasEmail: boolean;
  userId: number | null;
  /** channels the person's reminders may not use (people.reach_off, as /settings writes it) */
  reachOff: string[];
  /** the person's own order of the channels (people.reach_order); [] for the default */
  reachOrder: string[];
}

/** Reads of the people register for the admin API (the imports write it). */
export class SqlitePeopleStore {
  constructor(private readonly db: Db) {}

  /** Every person, with their unit; the caller scopes and filters. */
  all(): PersonRow[] {
    return this.db
      .select({
        ref: people.ref,
        name: people.name,
        role: people.role,
        unitId: people.unitId,
        unitCode: units.code,
        unitName: units.name,
        phone: people.phone,
        email: people.email,
        userId: people.userId,
        reachOff: people.reachOff,
        reachOrder: people.reachOrder,
      })
      .from(people)
      .innerJoin(units, eq(units.id, people.unitId))
      .all()
      .map(({ phone, email, reachOff, reachOrder, ...p }) => ({
        ...p,
        hasPhone: phone !== null && phone !== "",
        hasEmail: email !== null && email !== "",
        reachOff: parseReachOff(reachOff),
        reachOrder: parseOrder(reachOrder),
      }));
  }

  /** One person's unit and turned-off channels, by ref. */
  reachOf(ref: string): { id: number; unitId: number; reachOff: string[]; reachOrder: string[] } | undefined {
    const row = this.db
      .select({ id: people.id, unitId: people.unitId, reachOff: people.reachOff, reachOrder: people.reachOrder })
      .from(people)
      .where(eq(people.ref, ref))
      .get();
    return row ? { id: row.id, unitId: row.unitId, reachOff: parseReachOff(row.reachOff), reachOrder: parseOrder(row.reachOrder) } : undefined;
  }

  /** Sets the channels turned off (the same column /settings writes), with the audit row in one transaction. */
  setReachOff(personId: number, off: readonly string[], now: Date, audit: (tx: Tx) => void, order?: readonly string[]): void {
    const value = off.length > 0 ? JSON.stringify([...new Set(off)].sort()) : null;
    this.db.transaction((tx) => {
      tx.update(people)
        .set({ reachOff: value, ...(order ? { reachOrder: storedOrder(order) } : {}), updatedAt: now.getTime() })
        .where(eq(people.id, personId))
        .run();
      audit(tx);
    });
  }

  /** The chat channels (telegram, zalo, web) each of these users is reached on. */
  channelsOf(userIds: readonly number[]): Map<number, Set<string>> {
    const out = new Map<number, Set<string>>();
    if (userIds.length === 0) return out;
    for (let i = 0; i < userIds.length; i += 500) {
      const rows = this.db
        .select({ userId: channelAddresses.userId, channel: channelAddresses.channel })
        .from(channelAddresses)
        .where(inArray(channelAddresses.userId, userIds.slice(i, i + 500)))
        .all();
      for (const r of rows) {
        const set = out.get(r.userId) ?? new Set<string>();
        set.add(r.channel);
        out.set(r.userId, set);
      }
    }
    return out;
  }

  unitByCode(code: string): { id: number; code: string; name: string; type: string } | undefined {
    return this.db.select({ id: units.id, code: units.code, name: units.name, type: units.type }).from(units).where(eq(units.code, code)).get();
  }
}

function parseReachOff(value: string | null): string[] {
  if (!value) return [];
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === "string") : [];
  } catch {
    return [];
  }
}
