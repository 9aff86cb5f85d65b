import { sql } from "drizzle-orm";
import type { Db } from "./database.js";

/** Codes of a unit and every unit under it. */
export function subtreeCodes(db: Db, unitId: number): Set<string> {
  const rows = db.all<{ code: string }>(sql`
    WITH RECURSIVE subtree(id) AS (SELECT CAST(${unitId} AS INTEGER) UNION SELECT u.id FROM units u JOIN subtree s ON u.parent_id = s.id)
    SELECT code FROM units WHERE id IN (SELECT id FROM subtree)`);
  return new Set(rows.map((r) => r.code));
}

/** Ids of a unit and every unit under it. */
export function subtreeIds(db: Db, unitId: number): Set<number> {
  const rows = db.all<{ id: number }>(sql`
    WITH RECURSIVE subtree(id) AS (SELECT CAST(${unitId} AS INTEGER) UNION SELECT u.id FROM units u JOIN subtree s ON u.parent_id = s.id)
    SELECT id FROM subtree`);
  return new Set(rows.map((r) => r.id));
}

/** The unit hierarchy in SQLite, for access scopes. */
export class SqliteUnitTree {
  constructor(private readonly db: Db) {}

  subtreeIds(unitId: number): Set<number> {
    return subtreeIds(this.db, unitId);
  }

  subtreeCodes(unitId: number): Set<string> {
    return subtreeCodes(this.db, unitId);
  }
}
