import type Database from "better-sqlite3";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Audience, SkipReason } from "../broadcast/audience.js";
import type { OutboxPort, OutboxRow } from "../core/delivery/outbox-types.js";
import type { SendFailure, SendResult } from "../core/delivery/send-error.js";
import type { Channel } from "../core/types.js";
import { audienceWhere, PLANNED_REASON, PLANNED_STATUS } from "./audience-query.js";
import type { Db } from "./database.js";
import { channelAddresses, deliveryAttempts, outbox } from "./schema.js";

/** Users are planned this many ids at a time, one transaction each: memory stays flat for any audience. */
const PLAN_BATCH = 20_000;

export interface AudienceCount {
  /** matched addresses */
  total: number;
  queued: number;
  skipped: Partial<Record<SkipReason, number>>;
}

/** One line of the per-recipient delivery report. */
export interface DeliveryRow {
  id: number;
  channel: string;
  address: string;
  locale: string;
  status: string;
  reason: string | null;
  attempts: number;
  doneAt: number | null;
}

export interface DeliveryCounts {
  queued: number;
  sent: number;
  failed: number;
  skipped: number;
  cancelled: number;
  reasons: Record<string, number>;
}

export class SqliteOutbox implements OutboxPort {
  private readonly db: Db;
  private readonly sqlite: Database.Database;

  constructor(
    database: { db: Db; sqlite: Database.Database },
    private readonly defaultLocale: string,
  ) {
    this.db = database.db;
    this.sqlite = database.sqlite;
  }

  countAudience(audience: Audience): AudienceCount {
    const rows = this.db.all<{ status: string; reason: string | null; n: number }>(sql`
      SELECT ${PLANNED_STATUS} AS status, ${PLANNED_REASON} AS reason, count(*) AS n
      FROM channel_addresses a JOIN users u ON u.id = a.user_id
      WHERE ${audienceWhere(audience, this.defaultLocale)}
      GROUP BY 1, 2`);
    const count: AudienceCount = { total: 0, queued: 0, skipped: {} };
    for (const r of rows) {
      count.total += r.n;
      if (r.status === "queued") count.queued += r.n;
      else if (r.reason) count.skipped[r.reason as SkipReason] = (count.skipped[r.reason as SkipReason] ?? 0) + r.n;
    }
    return count;
  }

  /**
   * Writes one row per matched address. The unique dedupe key makes this idempotent: run it twice, or after a
   * crash half-way, and each address still has exactly one row. Returns the number of rows inserted now.
   */
  planBroadcast(broadcastId: number, audience: Audience, urgent: boolean, notBefore: Date, now: Date): number {
    const bounds = this.db.get<{ lo: number | null; hi: number | null }>(sql`SELECT min(id) AS lo, max(id) AS hi FROM users`);
    if (bounds?.lo == null || bounds.hi == null) return 0;
    let inserted = 0;
    for (let from = bounds.lo - 1; from < bounds.hi; from += PLAN_BATCH) {
      const to = from + PLAN_BATCH;
      inserted += this.db.transaction((tx) =>
        tx.run(sql`
          INSERT INTO outbox (dedupe_key, cause_type, cause_id, user_id, channel, address, locale, urgent, status, reason, not_before, created_at, done_at)
          SELECT 'broadcast:' || ${broadcastId} || ':' || a.channel || ':' || a.address, 'broadcast', ${broadcastId}, u.id,
                 a.channel, a.address, COALESCE(u.locale, ${this.defaultLocale}), ${urgent ? 1 : 0},
                 ${PLANNED_STATUS}, ${PLANNED_REASON}, ${notBefore.getTime()}, ${now.getTime()},
                 CASE WHEN ${PLANNED_STATUS} = 'skipped' THEN ${now.getTime()} ELSE NULL END
          FROM channel_addresses a JOIN users u ON u.id = a.user_id
          WHERE u.id > ${from} AND u.id <= ${to} AND ${audienceWhere(audience, this.defaultLocale)}
          ON CONFLICT(dedupe_key) DO NOTHING`),
      ).changes;
    }
    return inserted;
  }

  claimDue(channel: Channel, now: Date, limit: number, urgentOnly: boolean): OutboxRow[] {
    const rows = this.db.all<{
      id: number;
      cause_type: "broadcast" | "reminder";
      cause_id: number;
      user_id: number | null;
      channel: Channel;
      address: string;
      locale: "vi" | "en";
      urgent: number;
      attempts: number;
      first_attempt_at: number | null;
    }>(sql`
      UPDATE outbox SET status = 'sending', claimed_at = ${now.getTime()}
      WHERE id IN (
        SELECT id FROM outbox
        WHERE status = 'queued' AND channel = ${channel} AND not_before <= ${now.getTime()}
          ${urgentOnly ? sql`AND urgent = 1` : sql``}
        ORDER BY not_before, id LIMIT ${limit})
      RETURNING id, cause_type, cause_id, user_id, channel, address, locale, urgent, attempts,
        (SELECT min(d.at) FROM delivery_attempts d WHERE d.outbox_id = outbox.id) AS first_attempt_at`);
    return rows
      .sort((a, b) => a.id - b.id)
      .map((r) => ({
        id: r.id,
        causeType: r.cause_type,
        causeId: r.cause_id,
        userId: r.user_id,
        channel: r.channel,
        address: r.address,
        locale: r.locale,
        urgent: r.urgent === 1,
        attempts: r.attempts,
        ...(r.first_attempt_at !== null ? { firstAttemptAt: r.first_attempt_at } : {}),
      }));
  }

  markSent(row: OutboxRow, result: SendResult, now: Date): void {
    this.db.transaction((tx) => {
      tx.update(outbox)
        .set({ status: "sent", attempts: row.attempts + 1, providerMessageId: result.providerMessageId, doneAt: now.getTime(), reason: null })
        .where(eq(outbox.id, row.id))
        .run();
      tx.insert(deliveryAttempts).values({ outboxId: row.id, at: now.getTime(), outcome: "sent" }).run();
    });
  }

  markRetry(row: OutboxRow, notBefore: Date, failure: SendFailure, now: Date): void {
    this.db.transaction((tx) => {
      tx.update(outbox)
        .set({ status: "queued", attempts: row.attempts + 1, notBefore: notBefore.getTime(), claimedAt: null, reason: failure.kind })
        .where(eq(outbox.id, row.id))
        .run();
      tx.insert(deliveryAttempts)
        .values({ outboxId: row.id, at: now.getTime(), outcome: "retry", errorKind: failure.kind, description: failure.description.slice(0, 500) })
        .run();
    });
  }

  markFailed(row: OutboxRow, reason: string, failure: SendFailure | undefined, now: Date): void {
    this.db.transaction((tx) => {
      tx.update(outbox)
        .set({ status: "failed", attempts: row.attempts + (failure ? 1 : 0), reason, doneAt: now.getTime() })
        .where(eq(outbox.id, row.id))
        .run();
      if (failure) {
        tx.insert(deliveryAttempts)
          .values({ outboxId: row.id, at: now.getTime(), outcome: "failed", errorKind: failure.kind, description: failure.description.slice(0, 500) })
          .run();
      }
    });
  }

  markUnreachable(row: OutboxRow, failure: SendFailure, now: Date): void {
    this.db.transaction((tx) => {
      tx.update(outbox)
        .set({ status: "failed", attempts: row.attempts + 1, reason: "unreachable", doneAt: now.getTime() })
        .where(eq(outbox.id, row.id))
        .run();
      tx.update(channelAddresses)
        .set({ unreachableAt: now.getTime() })
        .where(and(eq(channelAddresses.channel, row.channel), eq(channelAddresses.address, row.address)))
        .run();
      tx.insert(deliveryAttempts)
        .values({ outboxId: row.id, at: now.getTime(), outcome: "unreachable", errorKind: failure.kind, description: failure.description.slice(0, 500) })
        .run();
    });
  }

  skipWithFallback(row: OutboxRow, reason: string, now: Date): void {
    this.db.transaction((tx) => {
      tx.update(outbox).set({ status: "skipped", reason, doneAt: now.getTime() }).where(eq(outbox.id, row.id)).run();
      if (row.userId === null) return;
      tx.run(sql`
        INSERT INTO outbox (dedupe_key, cause_type, cause_id, user_id, channel, address, locale, urgent, status, not_before, created_at)
        SELECT ${row.causeType} || ':' || ${row.causeId} || ':' || a.channel || ':' || a.address, ${row.causeType}, ${row.causeId}, a.user_id,
          a.channel, a.address, ${row.locale}, ${row.urgent ? 1 : 0}, 'queued', ${now.getTime()}, ${now.getTime()}
        FROM channel_addresses a
        WHERE a.user_id = ${row.userId} AND a.channel NOT IN (${row.channel}, 'web') AND a.unreachable_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.cause_type = ${row.causeType} AND o.cause_id = ${row.causeId} AND o.channel = a.channel)
        ORDER BY a.last_inbound_at DESC LIMIT 1
        ON CONFLICT(dedupe_key) DO NOTHING`);
    });
  }

  skipChannelsOtherThan(active: Channel[], now: Date): number {
    const keep = active.length > 0 ? sql`AND channel NOT IN (${sql.join(active.map((c) => sql`${c}`), sql`, `)})` : sql``;
    return this.db.run(sql`
      UPDATE outbox SET status = 'skipped', reason = 'channel_off', done_at = ${now.getTime()}
      WHERE status = 'queued' ${keep}`).changes;
  }

  /** When the person last wrote to us on this address (Zalo's consultation window runs from it). */
  lastInbound(channel: Channel, address: string): number | undefined {
    return this.db
      .select({ at: channelAddresses.lastInboundAt })
      .from(channelAddresses)
      .where(and(eq(channelAddresses.channel, channel), eq(channelAddresses.address, address)))
      .get()?.at;
  }

  releaseClaims(): number {
    return this.db.update(outbox).set({ status: "queued", claimedAt: null }).where(eq(outbox.status, "sending")).run().changes;
  }

  settle(now: Date): void {
    this.db.run(sql`
      UPDATE broadcasts SET status = 'done', finished_at = ${now.getTime()}
      WHERE status = 'sending' AND NOT EXISTS (
        SELECT 1 FROM outbox o WHERE o.cause_type = 'broadcast' AND o.cause_id = broadcasts.id AND o.status IN ('queued', 'sending'))`);
  }

  countsFor(causeType: "broadcast" | "reminder", causeId: number): DeliveryCounts {
    const rows = this.db.all<{ status: string; reason: string | null; n: number }>(sql`
      SELECT status, reason, count(*) AS n FROM outbox WHERE cause_type = ${causeType} AND cause_id = ${causeId} GROUP BY 1, 2`);
    const counts: DeliveryCounts = { queued: 0, sent: 0, failed: 0, skipped: 0, cancelled: 0, reasons: {} };
    for (const r of rows) {
      const key = r.status === "sending" ? "queued" : (r.status as keyof Omit<DeliveryCounts, "reasons">);
      counts[key] += r.n;
      if (r.reason && (r.status === "failed" || r.status === "skipped")) counts.reasons[r.reason] = (counts.reasons[r.reason] ?? 0) + r.n;
    }
    return counts;
  }

  /** Stops what has not gone out yet. */
  cancelQueued(causeType: "broadcast" | "reminder", causeId: number, now: Date): number {
    return this.db
      .update(outbox)
      .set({ status: "cancelled", doneAt: now.getTime() })
      .where(and(eq(outbox.causeType, causeType), eq(outbox.causeId, causeId), inArray(outbox.status, ["queued"])))
      .run().changes;
  }

  /** Per-recipient rows for the CSV report, streamed (never all in memory). */
  *deliveries(causeType: "broadcast" | "reminder", causeId: number): Generator<DeliveryRow> {
    const statement = this.sqlite.prepare(
      `SELECT id, channel, address, locale, status, reason, attempts, done_at AS doneAt FROM outbox
       WHERE cause_type = ? AND cause_id = ? ORDER BY id`,
    );
    yield* statement.iterate(causeType, causeId) as Iterable<DeliveryRow>;
  }
}

