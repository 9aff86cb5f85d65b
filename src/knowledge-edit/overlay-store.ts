import { asc, desc, eq } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { knowledgeVersions } from "../db/schema.js";
import type { Tx } from "../access/audit-log.js";
import { changeSchema, type KnowledgeChange } from "./overlay.js";

export interface VersionRow {
  version: number;
  at: Date;
  by: string;
  kind: KnowledgeChange["kind"] | "revert";
  summary: string;
  note: string | null;
  change: KnowledgeChange | null;
  reverts: number | null;
  revertedAt: Date | null;
  revertedBy: number | null;
}

type Row = typeof knowledgeVersions.$inferSelect;

/** SQLite side of the knowledge overlay: one row per version, changes kept as JSON. */
export class SqliteOverlayStore {
  constructor(private readonly db: Db) {}

  /** Every version, newest first. */
  list(limit = 500): VersionRow[] {
    return this.db.select().from(knowledgeVersions).orderBy(desc(knowledgeVersions.version)).limit(limit).all().map(toRow);
  }

  get(version: number): VersionRow | undefined {
    const row = this.db.select().from(knowledgeVersions).where(eq(knowledgeVersions.version, version)).get();
    return row ? toRow(row) : undefined;
  }

  latest(): number {
    return this.db.select({ v: knowledgeVersions.version }).from(knowledgeVersions).orderBy(desc(knowledgeVersions.version)).limit(1).get()?.v ?? 0;
  }

  /** The changes in force, oldest first: every change not reverted. */
  active(): { version: number; change: KnowledgeChange }[] {
    return this.db
      .select()
      .from(knowledgeVersions)
      .orderBy(asc(knowledgeVersions.version))
      .all()
      .map(toRow)
      .filter((r): r is VersionRow & { change: KnowledgeChange } => r.change !== null && r.revertedAt === null)
      .map((r) => ({ version: r.version, change: r.change }));
  }

  insert(row: { at: Date; by: string; change: KnowledgeChange; summary: string; note: string | null }, tx: Tx): number {
    return tx
      .insert(knowledgeVersions)
      .values({ at: row.at.getTime(), by: row.by, kind: row.change.kind, change: JSON.stringify(row.change), summary: row.summary, note: row.note })
      .returning({ version: knowledgeVersions.version })
      .get().version;
  }

  insertRevert(row: { at: Date; by: string; reverts: number; summary: string; note: string | null }, tx: Tx): number {
    const version = tx
      .insert(knowledgeVersions)
      .values({ at: row.at.getTime(), by: row.by, kind: "revert", change: JSON.stringify({ reverts: row.reverts }), summary: row.summary, note: row.note, reverts: row.reverts })
      .returning({ version: knowledgeVersions.version })
      .get().version;
    tx.update(knowledgeVersions).set({ revertedAt: row.at.getTime(), revertedBy: version }).where(eq(knowledgeVersions.version, row.reverts)).run();
    return version;
  }

  transaction<T>(fn: (tx: Tx) => T): T {
    return this.db.transaction(fn, { behavior: "immediate" });
  }
}

function toRow(row: Row): VersionRow {
  const parsed = row.kind === "revert" ? undefined : changeSchema.safeParse(JSON.parse(row.change));
  return {
    version: row.version,
    at: new Date(row.at),
    by: row.by,
    kind: row.kind,
    summary: row.summary,
    note: row.note,
    change: parsed?.success ? parsed.data : null,
    reverts: row.reverts,
    revertedAt: row.revertedAt === null ? null : new Date(row.revertedAt),
    revertedBy: row.revertedBy,
  };
}
