import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import type { FollowerFacts } from "../reach/zalo-message-types.js";

/**
 * The Zalo followers an audience (a condition over `channel_addresses a JOIN users u`) would really be sent
 * to — subscribed, reachable — with when each last wrote and how many messages of each counted type they were
 * really sent in [from, to) (a calendar month): what the preview needs to say who goes by which type.
 */
export class SqliteZaloFollowers {
  constructor(private readonly db: Db) {}

  facts(where: SQL, counted: string[], from: number, to: number): FollowerFacts[] {
    const joins = counted.map(
      (type, i) => sql`LEFT JOIN (
        SELECT address, count(*) AS used FROM outbox
        WHERE zalo_type = ${type} AND channel = 'zalo' AND status = 'sent' AND done_at >= ${from} AND done_at < ${to}
        GROUP BY address) ${sql.raw(`q${i}`)} ON ${sql.raw(`q${i}`)}.address = a.address`,
    );
    const used = counted.map((_, i) => sql`, COALESCE(${sql.raw(`q${i}`)}.used, 0) AS ${sql.raw(`used_${i}`)}`);
    const rows = this.db.all<Record<string, number | string | null>>(sql`
      SELECT a.last_inbound_at AS last_inbound_at ${sql.join(used, sql``)}
      FROM channel_addresses a JOIN users u ON u.id = a.user_id ${sql.join(joins, sql` `)}
      WHERE ${where} AND a.channel = 'zalo' AND u.subscribed = TRUE AND a.unreachable_at IS NULL`);
    return rows.map((r) => ({
      lastInboundAt: r.last_inbound_at === null || r.last_inbound_at === undefined ? null : Number(r.last_inbound_at),
      sentThisMonth: Object.fromEntries(counted.map((type, i) => [type, Number(r[`used_${i}`] ?? 0)])),
    }));
  }
}
