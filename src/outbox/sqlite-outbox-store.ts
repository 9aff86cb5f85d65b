import { and, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import type { SendFailure, SendResult } from "../core/delivery/send-error.js";
import type { Channel } from "../core/types.js";
import { localDateParts } from "../core/time/zoned-time.js";
import type { Db } from "../db/database.js";
import { skipLocked } from "../db/dialect.js";
import type { SqlClient, SqlStatement } from "../db/pg/sqlite-compatible-client.js";
import { channelAddresses, deliveryAttempts, outbox } from "../db/schema.js";
import type { AddressRule, EnqueueStore, ManyPeopleEnqueue, PersonEnqueue, SelectionEnqueue, SkipReason } from "./enqueue.js";
import type { Cause, CauseType, DeliveryChannel, LadderPolicy, OffChatStep, OutboxPort, OutboxRow, RowEnd } from "./outbox-port.js";

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

/** The status an address of a selection gets (over `channel_addresses a JOIN users u`): queued, or skipped. */
const PLANNED_STATUS = sql`CASE
  WHEN u.subscribed = FALSE THEN 'skipped'
  WHEN a.unreachable_at IS NOT NULL THEN 'skipped'
  WHEN a.channel = 'web' THEN 'skipped'
  ELSE 'queued' END`;

const PLANNED_REASON = sql`CASE
  WHEN u.subscribed = FALSE THEN 'not_subscribed'
  WHEN a.unreachable_at IS NOT NULL THEN 'unreachable'
  WHEN a.channel = 'web' THEN 'no_push_channel'
  ELSE NULL END`;

/** A chat address (alias `a`) whose person has not turned its channel off with /settings. */
const NOT_TURNED_OFF = `NOT EXISTS (SELECT 1 FROM people rp WHERE rp.user_id = a.user_id AND rp.reach_off IS NOT NULL
  AND rp.reach_off LIKE '%"' || a.channel || '"%')`;

/**
 * The dedupe key, in SQL: one row per (cause, channel, address), as `dedupeKey()` spells it. The prefix is
 * built here, not in SQL: a bound JS number is a REAL to SQLite and would read "7.0".
 */
const dedupeSql = (cause: Cause): SQL => sql`${`${cause.type}:${cause.id}:`} || a.channel || ':' || a.address`;

/** The SQLite outbox: where rows are written (enqueue), claimed and settled (dispatcher), counted (reports). */
/** How long a claimed row stays with the instance that claimed it before another may take it (a dead instance's). */
export const CLAIM_LEASE_MS = 120_000;

export class SqliteOutbox implements OutboxPort, EnqueueStore {
  private readonly db: Db;
  private readonly sqlite: SqlClient;
  private lastUsedInsert: SqlStatement | undefined;

  private readonly claims: { owner: string; leaseMs: number };
  private readonly ladder: LadderPolicy | undefined;
  private readonly timeZone: string;

  constructor(
    database: { db: Db },
    private readonly defaultLocale: string,
    /**
     * The ladder (what comes after a step that cannot be used), the time zone of its monthly budget, and who
     * claims rows (INSTANCE_ID) with how long a claim lasts before another instance may take the row.
     */
    options: { ladder?: LadderPolicy | undefined; timeZone?: string; claims?: { owner: string; leaseMs: number } } = {},
  ) {
    this.ladder = options.ladder;
    this.timeZone = options.timeZone ?? "Asia/Ho_Chi_Minh";
    this.claims = options.claims ?? { owner: "local", leaseMs: CLAIM_LEASE_MS };
    this.db = database.db;
    // drizzle() keeps the client (better-sqlite3's, or its PostgreSQL twin) as $client, not in the Db type.
    this.sqlite = (database.db as unknown as { $client: SqlClient }).$client;
  }

  /** How many addresses a selection reaches, and how many would be skipped and why. */
  countSelection(selection: SelectionEnqueue["where"]): AudienceCount {
    const rows = this.db.all<{ status: string; reason: string | null; n: number }>(sql`
      SELECT ${PLANNED_STATUS} AS status, ${PLANNED_REASON} AS reason, count(*) AS n
      FROM channel_addresses a JOIN users u ON u.id = a.user_id
      WHERE ${selection}
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
   * Every address of a selection, `INSERT … SELECT` in batches of user ids (never loaded into memory); skipped
   * ones are written with their reason. Idempotent through the dedupe key. Returns the rows inserted now.
   */
  insertSelection(request: SelectionEnqueue, now: Date): number {
    const { cause } = request;
    const bounds = this.db.get<{ lo: number | null; hi: number | null }>(sql`SELECT min(id) AS lo, max(id) AS hi FROM users`);
    if (bounds?.lo == null || bounds.hi == null) return 0;
    let inserted = 0;
    for (let from = bounds.lo - 1; from < bounds.hi; from += PLAN_BATCH) {
      const to = from + PLAN_BATCH;
      inserted += this.db.transaction((tx) =>
        tx.run(sql`
          INSERT INTO outbox (dedupe_key, cause_type, cause_id, user_id, channel, address, locale, urgent, status, reason, not_before, created_at, done_at)
          SELECT ${dedupeSql(cause)}, ${cause.type}, ${cause.id}, u.id,
                 a.channel, a.address, COALESCE(u.locale, ${this.defaultLocale}), ${request.urgent ? 1 : 0},
                 ${PLANNED_STATUS}, ${PLANNED_REASON}, ${request.notBefore.getTime()}, ${now.getTime()},
                 CASE WHEN ${PLANNED_STATUS} = 'skipped' THEN CAST(${now.getTime()} AS BIGINT) ELSE NULL END
          FROM channel_addresses a JOIN users u ON u.id = a.user_id
          WHERE u.id > ${from} AND u.id <= ${to} AND ${request.where}
          ON CONFLICT(dedupe_key) DO NOTHING`),
      ).changes;
    }
    return inserted;
  }

  /**
   * One person's address chosen by the rule, in their language. One statement, no transaction of its own, so
   * a caller may run it inside its own (the planner, a snooze). Returns the rows inserted (0 or 1).
   */
  insertForPerson(request: PersonEnqueue, now: Date): number {
    const { cause, rule } = request;
    // The planner writes thousands of these in one step: the common rule runs as one prepared statement.
    if ("lastUsed" in rule && !rule.except) {
      this.lastUsedInsert ??= this.sqlite.prepare(`
        INSERT INTO outbox (dedupe_key, cause_type, cause_id, user_id, channel, address, locale, urgent, status, not_before, created_at)
        SELECT ? || a.channel || ':' || a.address, ?, ?, a.user_id, a.channel, a.address,
          COALESCE(u.locale, ?), ?, 'queued', ?, ?
        FROM channel_addresses a JOIN users u ON u.id = a.user_id
        WHERE a.user_id = ? AND a.channel != 'web' AND a.unreachable_at IS NULL AND ${NOT_TURNED_OFF}
          AND NOT EXISTS (SELECT 1 FROM people op WHERE op.user_id = a.user_id AND op.reach_order IS NOT NULL)
        ORDER BY a.last_inbound_at DESC, a.id DESC LIMIT 1
        ON CONFLICT(dedupe_key) DO NOTHING`);
      const written = this.lastUsedInsert.run(
        `${cause.type}:${cause.id}:`,
        cause.type,
        cause.id,
        this.defaultLocale,
        request.urgent ? 1 : 0,
        request.notBefore.getTime(),
        now.getTime(),
        request.userId,
      ).changes;
      // A person with an order of their own is not reached "where they wrote last" but by their order.
      if (written === 0 && this.ladder?.order?.(cause)) return this.insertFirstStep(cause, request.userId, request.urgent, request.notBefore, now);
      return written;
    }
    return this.db.run(sql`
      INSERT INTO outbox (dedupe_key, cause_type, cause_id, user_id, channel, address, locale, urgent, status, not_before, created_at)
      SELECT ${dedupeSql(cause)}, ${cause.type}, ${cause.id}, a.user_id, a.channel, a.address,
        COALESCE(u.locale, ${this.defaultLocale}), ${request.urgent ? 1 : 0}, 'queued', ${request.notBefore.getTime()}, ${now.getTime()}
      FROM channel_addresses a JOIN users u ON u.id = a.user_id
      WHERE a.user_id = ${request.userId} AND a.channel != 'web' AND a.unreachable_at IS NULL AND ${sql.raw(NOT_TURNED_OFF)} ${addressFilter(request.rule, cause)}
      ORDER BY a.last_inbound_at DESC, a.id DESC LIMIT 1
      ON CONFLICT(dedupe_key) DO NOTHING`).changes;
  }

  /** `insertForPerson` with the plain `lastUsed` rule for every recipient of `request`, in one statement. */
  insertLastUsedForMany(request: ManyPeopleEnqueue, now: Date): number {
    return this.db.run(sql`
      INSERT INTO outbox (dedupe_key, cause_type, cause_id, user_id, channel, address, locale, urgent, status, not_before, created_at)
      SELECT ${`${request.causeType}:`} || CAST(r.cause_id AS TEXT) || ':' || pick.channel || ':' || pick.address, ${request.causeType}, r.cause_id,
        pick.user_id, pick.channel, pick.address, COALESCE(u.locale, ${this.defaultLocale}), ${request.urgent ? 1 : 0}, 'queued',
        ${request.notBefore.getTime()}, ${now.getTime()}
      FROM (${request.recipients}) r
      JOIN channel_addresses pick ON pick.id = (
        SELECT a.id FROM channel_addresses a
        WHERE a.user_id = r.user_id AND a.channel != 'web' AND a.unreachable_at IS NULL AND ${sql.raw(NOT_TURNED_OFF)}
        ORDER BY a.last_inbound_at DESC, a.id DESC LIMIT 1)
      JOIN users u ON u.id = pick.user_id
      WHERE NOT EXISTS (SELECT 1 FROM people op WHERE op.user_id = r.user_id AND op.reach_order IS NOT NULL)
      ON CONFLICT(dedupe_key) DO NOTHING`).changes;
  }

  claimDue(channel: DeliveryChannel, now: Date, limit: number, urgentOnly: boolean): OutboxRow[] {
    const rows = this.db.all<{
      id: number;
      cause_type: CauseType;
      cause_id: number;
      user_id: number | null;
      channel: DeliveryChannel;
      address: string;
      locale: "vi" | "en";
      urgent: number;
      attempts: number;
      first_attempt_at: number | null;
    }>(sql`
      UPDATE outbox SET status = 'sending', claimed_at = ${now.getTime()}, claimed_by = ${this.claims.owner}
      WHERE id IN (
        SELECT id FROM outbox
        WHERE (status = 'queued'
            -- another instance's claim that lapsed (it died); never our own: those are in flight here
            OR (status = 'sending' AND claimed_at <= ${now.getTime() - this.claims.leaseMs} AND claimed_by IS DISTINCT FROM ${this.claims.owner}))
          AND channel = ${channel} AND not_before <= ${now.getTime()}
          ${urgentOnly ? sql`AND urgent = TRUE` : sql``}
        ORDER BY not_before, id LIMIT ${limit}${skipLocked(this.db)})
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
        .set({ status: "sent", attempts: row.attempts + 1, providerMessageId: result.providerMessageId, doneAt: now.getTime(), reason: null, zaloType: row.channel === "zalo" ? (result.messageType ?? null) : null })
        .where(eq(outbox.id, row.id))
        .run();
      tx.insert(deliveryAttempts).values({ outboxId: row.id, at: now.getTime(), outcome: "sent" }).run();
      // ZNS is paid per message: counted per calendar month (Vietnam time) with the row, against the budget.
      if (row.channel === "zns") {
        tx.run(sql`INSERT INTO zns_usage (month, sent) VALUES (${monthOf(now, this.timeZone)}, 1)
          ON CONFLICT(month) DO UPDATE SET sent = zns_usage.sent + 1`);
      }
    });
  }

  /**
   * A ZNS delivery receipt: the message reached the phone. `trackingId` is the row id we gave Zalo; without it
   * (or when it names no ZNS row) the row is found by Zalo's msg_id. A row already marked keeps its first time;
   * a row whose msg_id Zalo gave differently is not this message. Returns whether a row was marked.
   */
  recordZnsDelivered(receipt: { trackingId?: string | undefined; msgId: string; deliveredAt: number }): boolean {
    const id = receipt.trackingId !== undefined && /^\d{1,15}$/.test(receipt.trackingId) ? Number(receipt.trackingId) : undefined;
    const byId =
      id !== undefined
        ? this.db.run(sql`UPDATE outbox SET delivered_at = ${receipt.deliveredAt}
            WHERE id = ${id} AND channel = 'zns' AND delivered_at IS NULL
              AND (provider_message_id IS NULL OR provider_message_id = ${receipt.msgId})`).changes
        : 0;
    if (byId > 0) return true;
    return (
      this.db.run(sql`UPDATE outbox SET delivered_at = ${receipt.deliveredAt}
        WHERE status = 'sent' AND channel = 'zns' AND provider_message_id = ${receipt.msgId} AND delivered_at IS NULL`).changes > 0
    );
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

  endWithFallback(row: OutboxRow, end: RowEnd, now: Date): boolean {
    return this.db.transaction((tx) => {
      const failure = end.status === "failed" ? end.failure : undefined;
      tx.update(outbox)
        .set({ status: end.status, attempts: row.attempts + (failure ? 1 : 0), reason: end.reason, doneAt: now.getTime() })
        .where(eq(outbox.id, row.id))
        .run();
      if (end.status === "failed" && end.unreachable) {
        tx.update(channelAddresses)
          .set({ unreachableAt: now.getTime() })
          .where(and(sql`${channelAddresses.channel} = ${row.channel}`, eq(channelAddresses.address, row.address)))
          .run();
      }
      if (failure) {
        tx.insert(deliveryAttempts)
          .values({
            outboxId: row.id,
            at: now.getTime(),
            outcome: end.status === "failed" && end.unreachable ? "unreachable" : "failed",
            errorKind: failure.kind,
            description: failure.description.slice(0, 500),
          })
          .run();
      }
      const cause: Cause = { type: row.causeType, id: row.causeId };
      if (end.status === "failed" && !this.ladder?.covers(cause)) return false;
      return this.nextStep(cause, row.userId, row.urgent, now, now);
    });
  }

  /**
   * The first step of a person's ladder for a cause that has no row yet (a registry person with no chat goes
   * straight to ZNS or e-mail). Writes nothing when the cause already has a row: a second planner run, or a
   * restart mid-ladder, never starts the ladder again. Returns the rows queued (0 or 1).
   */
  insertFirstStep(cause: Cause, userId: number | null, urgent: boolean, notBefore: Date, now: Date): number {
    const any = this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM (SELECT 1 FROM outbox WHERE cause_type = ${cause.type} AND cause_id = ${cause.id} LIMIT 1) AS one_row`);
    if (any?.n === 1) return 0;
    return this.nextStep(cause, userId, urgent, notBefore, now) ? 1 : 0;
  }

  /**
   * The next untried step: the person's chat used last among those the cause has no row on, then the ladder's
   * steps after the chats (each channel once per cause); an unusable step is written as skipped with its reason,
   * so the report shows why the ladder went past it. Runs inside the caller's transaction.
   */
  private nextStep(cause: Cause, userId: number | null, urgent: boolean, notBefore: Date, now: Date): boolean {
    const order = this.ladder?.order?.(cause);
    if (order) {
      // The person's own order: each channel in turn, chats and the steps after them alike.
      const offChat = this.ladder?.offChat(cause, now) ?? [];
      for (const channel of order) {
        const step = offChat.find((s) => s.channel === channel);
        if (step ? this.offChatStep(cause, userId, urgent, notBefore, now, step) : userId !== null && this.chatStep(cause, userId, urgent, notBefore, now, channel)) {
          return true;
        }
      }
      return false;
    }
    if (userId !== null && this.chatStep(cause, userId, urgent, notBefore, now)) return true;
    for (const step of this.ladder?.offChat(cause, now) ?? []) if (this.offChatStep(cause, userId, urgent, notBefore, now, step)) return true;
    return false;
  }

  /** The person's chat used last (of one channel, when given) among those the cause has no row on. */
  private chatStep(cause: Cause, userId: number, urgent: boolean, notBefore: Date, now: Date, channel?: string): boolean {
    return (
      this.db.run(sql`
        INSERT INTO outbox (dedupe_key, cause_type, cause_id, user_id, channel, address, locale, urgent, status, not_before, created_at)
        SELECT ${dedupeSql(cause)}, ${cause.type}, ${cause.id}, a.user_id, a.channel, a.address,
          COALESCE(u.locale, ${this.defaultLocale}), ${urgent ? 1 : 0}, 'queued', ${notBefore.getTime()}, ${now.getTime()}
        FROM channel_addresses a JOIN users u ON u.id = a.user_id
        WHERE a.user_id = ${userId} AND a.channel != 'web' AND a.unreachable_at IS NULL AND ${sql.raw(NOT_TURNED_OFF)}
          ${channel ? sql`AND a.channel = ${channel}` : sql``}
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.cause_type = ${cause.type} AND o.cause_id = ${cause.id} AND o.channel = a.channel)
        ORDER BY a.last_inbound_at DESC, a.id DESC LIMIT 1
        ON CONFLICT(dedupe_key) DO NOTHING`).changes > 0
    );
  }

  /** One step after the chats, once per cause: queued, or written as skipped with why it cannot be used. */
  private offChatStep(cause: Cause, userId: number | null, urgent: boolean, notBefore: Date, now: Date, step: OffChatStep): boolean {
    const tried = this.db.get<{ n: number }>(sql`
      SELECT count(*) AS n FROM (SELECT 1 FROM outbox WHERE cause_type = ${cause.type} AND cause_id = ${cause.id} AND channel = ${step.channel} LIMIT 1) AS one_row`);
    if (tried?.n === 1) return false;
    const locale =
      (userId !== null ? this.db.get<{ locale: string | null }>(sql`SELECT locale FROM users WHERE id = ${userId}`)?.locale : null) ?? this.defaultLocale;
    const written = this.db.run(sql`
      INSERT INTO outbox (dedupe_key, cause_type, cause_id, user_id, channel, address, locale, urgent, status, reason, not_before, created_at, done_at)
      VALUES (${`${cause.type}:${cause.id}:${step.channel}:${step.address}`}, ${cause.type}, ${cause.id}, ${userId}, ${step.channel},
        ${step.address}, ${locale}, ${urgent ? 1 : 0}, ${step.unusable ? "skipped" : "queued"}, ${step.unusable ?? null},
        ${notBefore.getTime()}, ${now.getTime()}, ${step.unusable ? now.getTime() : null})
      ON CONFLICT(dedupe_key) DO NOTHING`).changes;
    return written > 0 && !step.unusable;
  }

  skipChannelsOtherThan(active: DeliveryChannel[], now: Date): Cause[] {
    const keep = active.length > 0 ? sql`AND channel NOT IN (${sql.join(active.map((c) => sql`${c}`), sql`, `)})` : sql``;
    return this.db.transaction((tx) => {
      const causes = tx.all<{ type: CauseType; id: number }>(sql`
        SELECT DISTINCT cause_type AS type, cause_id AS id FROM outbox WHERE status = 'queued' ${keep}`);
      if (causes.length > 0) {
        tx.run(sql`UPDATE outbox SET status = 'skipped', reason = 'channel_off', done_at = ${now.getTime()} WHERE status = 'queued' ${keep}`);
      }
      return causes;
    });
  }

  /** Whether any row of the cause may still go out. */
  hasPending(cause: Cause): boolean {
    return (
      this.db.get<{ n: number }>(sql`
        SELECT count(*) AS n FROM (SELECT 1 FROM outbox WHERE cause_type = ${cause.type} AND cause_id = ${cause.id} AND status IN ('queued', 'sending') LIMIT 1) AS one_row`)
        ?.n === 1
    );
  }

  /** How many rows a cause has, whatever their status. */
  countRows(cause: Cause): number {
    return this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM outbox WHERE cause_type = ${cause.type} AND cause_id = ${cause.id}`)?.n ?? 0;
  }

  /** When the person last wrote to us on this address (Zalo's consultation window runs from it). */
  lastInbound(channel: Channel, address: string): number | undefined {
    return this.db
      .select({ at: channelAddresses.lastInboundAt })
      .from(channelAddresses)
      .where(and(eq(channelAddresses.channel, channel), eq(channelAddresses.address, address)))
      .get()?.at;
  }

  /**
   * This instance's claims go back to the queue (at start: what it had in flight when it died; at stop: what it
   * had not sent). Another instance's claims are never touched: they return by themselves when they lapse.
   */
  releaseClaims(): number {
    return this.db
      .update(outbox)
      .set({ status: "queued", claimedAt: null, claimedBy: null })
      .where(and(eq(outbox.status, "sending"), or(eq(outbox.claimedBy, this.claims.owner), isNull(outbox.claimedBy))))
      .run().changes;
  }

  countsFor(causeType: CauseType, causeId: number): DeliveryCounts {
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
  cancelQueued(causeType: CauseType, causeId: number, now: Date): number {
    return this.db
      .update(outbox)
      .set({ status: "cancelled", doneAt: now.getTime() })
      .where(and(eq(outbox.causeType, causeType), eq(outbox.causeId, causeId), inArray(outbox.status, ["queued"])))
      .run().changes;
  }

  /** Per-recipient rows for the CSV report, streamed (never all in memory). */
  *deliveries(causeType: CauseType, causeId: number): Generator<DeliveryRow> {
    const statement = this.sqlite.prepare(
      `SELECT id, channel, address, locale, status, reason, attempts, done_at AS "doneAt" FROM outbox
       WHERE cause_type = ? AND cause_id = ? ORDER BY id`,
    );
    yield* statement.iterate(causeType, causeId) as Iterable<DeliveryRow>;
  }
}


/** "2026-12": the calendar month of `at` in the given time zone (ZNS is budgeted per month). */
export function monthOf(at: Date, timeZone: string): string {
  const { year, month } = localDateParts(at, timeZone);
  return `${year}-${String(month).padStart(2, "0")}`;
}

/** The rule's extra condition on `channel_addresses a` (see AddressRule). */
function addressFilter(rule: AddressRule, cause: Cause): SQL {
  if ("channel" in rule) return sql`AND a.channel = ${rule.channel} AND a.address = ${rule.address}`;
  if (!rule.except) return sql``;
  // A fallback: another channel, and only one the cause has no row on yet.
  return sql`AND a.channel != ${rule.except}
    AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.cause_type = ${cause.type} AND o.cause_id = ${cause.id} AND o.channel = a.channel)`;
}
