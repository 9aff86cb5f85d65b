import { and, asc, eq, or, sql } from "drizzle-orm";
import type { UnitDirectory, UnitSummary } from "../core/ports.js";
import { fold } from "../nlu/normalize.js";
import type { Db } from "./database.js";
import { units, userUnits } from "./schema.js";

/** Units for the chat: schools found by code or by words of their name, with or without tone marks. */
export class SqliteUnitDirectory implements UnitDirectory {
  constructor(private readonly db: Db) {}

  search(query: string, limit: number): UnitSummary[] {
    const folded = fold(query);
    if (folded === "") return [];
    const byCode = this.db
      .select({ code: units.code, name: units.name })
      .from(units)
      .where(sql`lower(${units.code}) = ${query.trim().toLowerCase()}`)
      .all();
    if (byCode.length > 0) return byCode;
    // Every word must appear in the folded name ("thpt vung tau" finds "Trường THPT Vũng Tàu").
    const words = folded.split(" ").filter((w) => w.length > 0 && w !== "truong");
    const conditions = words.map((w) => sql`(' ' || ${units.nameFolded} || ' ') LIKE ${`% ${w.replace(/[%_]/g, "")}%`}`);
    return this.db
      .select({ code: units.code, name: units.name })
      .from(units)
      .where(and(eq(units.type, "school"), ...conditions))
      .orderBy(asc(units.name))
      .limit(limit)
      .all();
  }

  follow(userId: number, code: string, at: Date): UnitSummary | undefined {
    const unit = this.db.select({ id: units.id, code: units.code, name: units.name }).from(units).where(eq(units.code, code)).get();
    if (!unit) return undefined;
    this.db.insert(userUnits).values({ userId, unitId: unit.id, createdAt: at.getTime() }).onConflictDoNothing().run();
    return { code: unit.code, name: unit.name };
  }

  unfollow(userId: number, code: string): UnitSummary | undefined {
    const unit = this.db.select({ id: units.id, code: units.code, name: units.name }).from(units).where(eq(units.code, code)).get();
    if (!unit) return undefined;
    this.db.delete(userUnits).where(and(eq(userUnits.userId, userId), eq(userUnits.unitId, unit.id))).run();
    return { code: unit.code, name: unit.name };
  }

  followed(userId: number): UnitSummary[] {
    return this.db
      .select({ code: units.code, name: units.name })
      .from(userUnits)
      .innerJoin(units, eq(units.id, userUnits.unitId))
      .where(or(eq(userUnits.userId, userId)))
      .orderBy(asc(units.name))
      .all();
  }

  /** Every unit with its parent's code, in tree order by name: the console's unit picker and filters. */
  list(): UnitListEntry[] {
    return this.db.all<UnitListEntry>(sql`
      SELECT u.code AS code, u.name AS name, u.type AS type, u.level AS level, p.code AS "parentCode"
      FROM units u LEFT JOIN units p ON p.id = u.parent_id
      ORDER BY CASE u.type WHEN 'department' THEN 0 WHEN 'office' THEN 1 ELSE 2 END, u.name`);
  }
}

export interface UnitListEntry {
  code: string;
  name: string;
  type: "department" | "office" | "school";
  level: string | null;
  parentCode: string | null;
}
