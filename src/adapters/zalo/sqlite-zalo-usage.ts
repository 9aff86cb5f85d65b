import { sql } from "drizzle-orm";
import type { Db } from "../../db/database.js";

/**
 * What the Zalo sender needs to pick a message type, from the database: when the follower last wrote, and
 * how many messages of each type they really got (sent rows) in a span of time (a calendar month).
 */
export class SqliteZaloUsage {
  constructor(private readonly db: Db) {}

  lastInbound(address: string): number | undefined {
    const at = this.db.get<{ at: number | string | null }>(sql`SELECT last_inbound_at AS at FROM channel_addresses WHERE channel = 'zalo' AND address = ${address}`)?.at;
    return at === null || at === undefined ? undefined : Number(at);
  }

  /**
   * Whether the person has another chat (Telegram) that can be pushed to and has no row of this cause yet:
   * the outbox's next step after a skipped Zalo row (same conditions as its fallback).
   */
  otherChatUntried(userId: number, causeType: string, causeId: number): boolean {
    const found = this.db.get<{ n: number }>(sql`
      SELECT count(*) AS n FROM (SELECT 1 FROM channel_addresses a
        WHERE a.user_id = ${userId} AND a.channel NOT IN ('zalo', 'web') AND a.unreachable_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM people rp WHERE rp.user_id = a.user_id AND rp.reach_off IS NOT NULL
            AND rp.reach_off LIKE '%"' || a.channel || '"%')
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.cause_type = ${causeType} AND o.cause_id = ${causeId} AND o.channel = a.channel)
        LIMIT 1) AS other`);
    return Number(found?.n ?? 0) > 0;
  }

  sentBetween(address: string, from: number, to: number): Record<string, number> {
    const rows = this.db.all<{ type: string; n: number }>(sql`
      SELECT zalo_type AS type, count(*) AS n FROM outbox
      WHERE zalo_type IS NOT NULL AND address = ${address} AND channel = 'zalo' AND status = 'sent'
        AND done_at >= ${from} AND done_at < ${to}
      GROUP BY zalo_type`);
    return Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
  }
}
