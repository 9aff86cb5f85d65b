import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";

/** Counts the overview shows, over the people who follow (or belong to) one of `unitIds`, or everyone. */
export interface OverviewCounts {
  questions: number;
  unanswered: number;
  answeredFromDirective: number;
  subscribersByChannel: Record<string, number>;
  broadcastsInFlight: { id: number; title: string; status: string; recipients: number; sendAt: number; ownerUnitId: number | null }[];
}

/** The SQL behind the console's overview (Tổng quan). */
export class SqliteOverviewStore {
  constructor(private readonly db: Db) {}

  counts(since: Date, unitIds: ReadonlySet<number> | undefined): OverviewCounts {
    const people = peopleOf(unitIds);
    const one = (query: SQL): number => this.db.get<{ n: number }>(query)?.n ?? 0;
    const inbound = sql`FROM conversation_log l WHERE l.direction = 'in' AND l.at >= ${since.getTime()} AND l.text IS NOT NULL AND (l.intent IS NULL OR l.intent NOT LIKE '/%')${people("l.user_id")}`;
    const subscribers = this.db.all<{ channel: string; n: number }>(sql`
      SELECT a.channel AS channel, COUNT(DISTINCT u.id) AS n
      FROM users u JOIN channel_addresses a ON a.user_id = u.id
      WHERE u.subscribed = TRUE AND a.unreachable_at IS NULL AND a.channel <> 'web'${people("u.id")}
      GROUP BY a.channel`);
    return {
      questions: one(sql`SELECT COUNT(*) AS n ${inbound}`),
      unanswered: one(sql`SELECT COUNT(*) AS n ${inbound} AND l.intent = 'out_of_scope'`),
      answeredFromDirective: one(
        sql`SELECT COUNT(*) AS n FROM conversation_log l WHERE l.direction = 'out' AND l.at >= ${since.getTime()} AND l.intent LIKE 'directive:%'${people("l.user_id")}`,
      ),
      subscribersByChannel: Object.fromEntries(subscribers.map((r) => [r.channel, r.n])),
      broadcastsInFlight: this.db.all(sql`
        SELECT id, title, status, recipients, send_at AS "sendAt", owner_unit_id AS "ownerUnitId"
        FROM broadcasts WHERE status IN ('scheduled', 'sending') ORDER BY send_at LIMIT 50`),
    };
  }
}

/** A condition keeping the people who follow or belong to one of the units (nothing added for everyone). */
function peopleOf(unitIds: ReadonlySet<number> | undefined): (column: string) => SQL {
  if (!unitIds) return () => sql``;
  const ids = [...unitIds];
  const list = ids.length > 0 ? sql.join(ids.map((id) => sql`${id}`), sql`, `) : sql`NULL`;
  return (column) => sql` AND ${sql.raw(column)} IN (SELECT uu.user_id FROM user_units uu WHERE uu.unit_id IN (${list}))`;
}
