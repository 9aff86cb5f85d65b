import { eq, inArray } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { channelAddresses, people, units } from "../db/schema.js";
import type { PersonRole } from "./people-import.js";

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
      })
      .from(people)
      .innerJoin(units, eq(units.id, people.unitId))
      .all()
      .map(({ phone, email, ...p }) => ({ ...p, hasPhone: phone !== null && phone !== "", hasEmail: email !== null && email !== "" }));
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
