import { and, desc, eq, gte, inArray, isNotNull, sql, type SQL } from "drizzle-orm";
import type { Tx } from "../access/audit-log.js";
import type { Db } from "../db/database.js";
import { conversationLog, reviewResolutions, userUnits, users } from "../db/schema.js";
import type { Channel } from "../core/types.js";
import type { AskedQuestion, Resolution, ReviewStore } from "./review-service.js";

/** SQLite side of the review screen: questions from the conversation log, and the groups dealt with. */
export class SqliteReviewStore implements ReviewStore {
  constructor(private readonly db: Db) {}

  questions(filter: { since: Date; units?: Set<number>; intents: string[] }, limit: number): AskedQuestion[] {
    const c = conversationLog;
    const where: SQL[] = [eq(c.direction, "in"), isNotNull(c.text), gte(c.at, filter.since.getTime()), inArray(c.intent, filter.intents)];
    // An out-of-scope question the directive search answered was answered after all.
    where.push(sql`NOT EXISTS (SELECT 1 FROM ${conversationLog} o WHERE o.id = (SELECT min(x.id) FROM ${conversationLog} x WHERE x.user_id = ${c.userId} AND x.id > ${c.id}) AND o.direction = 'out' AND o.intent LIKE 'directive:%')`);
    if (filter.units) {
      if (filter.units.size === 0) return [];
      where.push(sql`EXISTS (SELECT 1 FROM ${userUnits} WHERE ${userUnits.userId} = ${c.userId} AND ${inArray(userUnits.unitId, [...filter.units])})`);
    }
    return this.db
      .select({ id: c.id, text: c.text, intent: c.intent, channel: c.channel, at: c.at, locale: users.locale })
      .from(c)
      .innerJoin(users, eq(users.id, c.userId))
      .where(and(...where))
      .orderBy(desc(c.at), desc(c.id))
      .limit(limit)
      .all()
      .map((r) => ({ id: r.id, text: r.text ?? "", intent: r.intent ?? "", channel: r.channel as Channel, at: new Date(r.at), locale: r.locale }));
  }

  resolutionsSince(since: Date): Resolution[] {
    return this.db
      .select()
      .from(reviewResolutions)
      .where(gte(reviewResolutions.resolvedAt, since.getTime()))
      .all()
      .map((r) => ({ key: r.key, how: r.how, signatures: JSON.parse(r.signatures) as string[], resolvedAt: new Date(r.resolvedAt) }));
  }

  addResolution(
    row: { key: string; how: "ignored" | "taught"; intent: string | null; version: string | null; signatures: string[]; questionCount: number; actor: string; at: Date },
    alsoInTransaction: (tx: Tx) => void,
  ): void {
    this.db.transaction((tx) => {
      tx.insert(reviewResolutions)
        .values({ key: row.key, how: row.how, intent: row.intent, version: row.version, signatures: JSON.stringify(row.signatures), questionCount: row.questionCount, actor: row.actor, resolvedAt: row.at.getTime() })
        .run();
      alsoInTransaction(tx);
    });
  }
}
