import type { Logger } from "../conversation.js";
import type { Clock } from "../ports.js";

/** One update as a channel adapter hands it over, before the platform gets its 200. */
export interface NewInboundEvent {
  channel: string;
  /** unique per channel: a resend of the same update has the same key */
  dedupeKey: string;
  /** one sender's events are handled one after another, in arrival order */
  sender: string;
  /** what the channel's handler needs (stored as JSON) */
  payload: unknown;
  /** when the platform says the event happened (ms); checked against the freshness window when given */
  sentAt?: number | undefined;
}

export interface StoredInboundEvent {
  id: number;
  channel: string;
  sender: string;
  payload: string;
  attempts: number;
}

/** The durable side of the queue (src/db/inbound-store.ts). */
export interface InboundStore {
  /** inserts a pending row; false when the channel already has this dedupe key */
  add(event: { channel: string; dedupeKey: string; sender: string; payload: string; receivedAt: number }): boolean;
  /** pending rows with an id above `afterId`, oldest first */
  pendingAfter(afterId: number, limit: number): StoredInboundEvent[];
  /** counts an attempt before handling starts and returns the count */
  begin(id: number): number;
  done(id: number, at: number): void;
  failed(id: number, at: number, error: string): void;
  /** deletes handled (done or failed) rows handled before `cutoff`; returns how many */
  purgeHandledBefore(cutoff: number): number;
}

export type Acceptance = "accepted" | "duplicate" | "stale";

/** What a channel adapter's webhook needs of the queue: store the event, say whether it was new. */
export interface InboundIntake {
  accept(event: NewInboundEvent): Acceptance;
}
export type InboundOutcome = Acceptance | "done" | "retry" | "failed";
export type InboundHandler = (payload: unknown) => Promise<void> | void;

export interface Freshness {
  /** older than this is stale: past the platform's last resend, so only a replay can bring it */
  maxAgeMs: number;
  /** further ahead than this is stale: clocks disagree or the event is forged */
  maxAheadMs: number;
}

/**
 * Zalo resends an unacknowledged event for about an hour (30 s, 5 min … 1 h); an hour of margin on top.
 * RETENTION_MS must stay longer than this window and than Telegram's 24 h of resends, so that a replayed
 * event is always either still known (a duplicate) or stale.
 */
export const DEFAULT_FRESHNESS: Freshness = { maxAgeMs: 2 * 3_600_000, maxAheadMs: 5 * 60_000 };
export const RETENTION_MS = 48 * 3_600_000;

export interface InboundQueueOptions {
  store: InboundStore;
  clock: Clock;
  logger: Logger;
  freshness?: Freshness;
  /** handling attempts per event, counting those a crash interrupted */
  maxAttempts?: number;
  /** senders handled at the same time (one sender's events are always one after another) */
  concurrency?: number;
  sleep?: (ms: number) => Promise<void>;
  observe?: (channel: string, outcome: InboundOutcome) => void;
}

/**
 * The durable inbound queue of all channels: an update is a row first (acknowledged to the platform only
 * then), de-duplicated by its key, and handled from the row: in arrival order per sender, different senders
 * concurrently, a failed handling retried a bounded number of times. On start it picks up what a stopped or
 * crashed process left pending. Delivery is at least once: a crash between the answer and `done` answers
 * that one event again after the restart.
 */
export class InboundQueue implements InboundIntake {
  private readonly handlers = new Map<string, InboundHandler>();
  private readonly lanes = new Map<string, StoredInboundEvent[]>();
  private readonly waiting: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private lastId = 0;
  private started = false;
  private stopping = false;
  private purgeTimer: ReturnType<typeof setInterval> | undefined;
  private readonly freshness: Freshness;
  private readonly maxAttempts: number;
  private readonly concurrency: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: InboundQueueOptions) {
    this.freshness = options.freshness ?? DEFAULT_FRESHNESS;
    this.maxAttempts = options.maxAttempts ?? 3;
    this.concurrency = options.concurrency ?? 8;
    this.sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  }

  /** Who handles a channel's events (its adapter). */
  register(channel: string, handler: InboundHandler): void {
    this.handlers.set(channel, handler);
  }

  /**
   * Writes the event and returns at once; only then may the platform get its 200. Throws if the row could
   * not be written (the platform should then get an error and resend).
   */
  accept(event: NewInboundEvent): Acceptance {
    const now = this.options.clock.now().getTime();
    if (event.sentAt !== undefined && !isFresh(event.sentAt, now, this.freshness)) {
      this.options.logger.warn({ channel: event.channel, skewMs: now - event.sentAt }, "stale inbound event dropped");
      this.options.observe?.(event.channel, "stale");
      return "stale";
    }
    const added = this.options.store.add({
      channel: event.channel,
      dedupeKey: event.dedupeKey,
      sender: event.sender,
      payload: JSON.stringify(event.payload),
      receivedAt: now,
    });
    this.options.observe?.(event.channel, added ? "accepted" : "duplicate");
    if (added) setImmediate(() => this.pump());
    return added ? "accepted" : "duplicate";
  }

  /** Starts handling, beginning with whatever is pending from before; purges old rows now and hourly. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.purge();
    this.purgeTimer = setInterval(() => this.purge(), 3_600_000);
    this.purgeTimer.unref();
    this.pump();
  }

  /** Stops taking events; waits for the ones being handled. What is left stays pending for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.started = false;
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    this.lanes.clear();
    this.waiting.length = 0;
    this.lastId = 0;
  }

  /** Deletes handled rows past the retention period. */
  purge(): number {
    try {
      return this.options.store.purgeHandledBefore(this.options.clock.now().getTime() - RETENTION_MS);
    } catch (error) {
      this.options.logger.error({ err: error }, "purging handled inbound events failed");
      return 0;
    }
  }

  private pump(): void {
    if (!this.started || this.stopping) return;
    try {
      this.readPending();
    } catch (error) {
      // The events are stored; the next accepted one, or this retry, reads them once the database answers.
      this.options.logger.error({ err: error }, "could not read pending inbound events; trying again");
      setTimeout(() => this.pump(), 2_000).unref();
    }
    this.startLanes();
  }

  private readPending(): void {
    for (;;) {
      const rows = this.options.store.pendingAfter(this.lastId, 500);
      if (rows.length === 0) break;
      for (const row of rows) {
        this.lastId = row.id;
        const key = `${row.channel}\u0000${row.sender}`;
        const lane = this.lanes.get(key);
        if (lane) {
          lane.push(row);
        } else {
          this.lanes.set(key, [row]);
          this.waiting.push(key);
        }
      }
    }
  }

  private startLanes(): void {
    while (!this.stopping && this.running.size < this.concurrency && this.waiting.length > 0) {
      const key = this.waiting.shift() as string;
      const run: Promise<void> = this.runLane(key).finally(() => {
        this.running.delete(run);
        this.startLanes();
      });
      this.running.add(run);
    }
  }

  private async runLane(key: string): Promise<void> {
    const lane = this.lanes.get(key) ?? [];
    while (lane.length > 0 && !this.stopping) {
      await this.handle(lane[0] as StoredInboundEvent);
      lane.shift();
    }
    if (lane.length === 0) this.lanes.delete(key);
  }

  private async handle(row: StoredInboundEvent): Promise<void> {
    const { store, clock, logger, observe } = this.options;
    const handler = this.handlers.get(row.channel);
    let unreachable = 0;
    for (;;) {
      let attempts: number;
      try {
        attempts = store.begin(row.id);
      } catch (error) {
        // The database is unreachable (PostgreSQL restarting, a failover): the sender's lane waits, in order.
        logger.error({ err: error }, "could not start an inbound event; trying again");
        await this.sleep(Math.min(10_000, 500 * 2 ** unreachable++));
        if (this.stopping) return;
        continue;
      }
      const finish = (outcome: "done" | "failed", error?: string): void => {
        try {
          if (outcome === "done") store.done(row.id, clock.now().getTime());
          else store.failed(row.id, clock.now().getTime(), error ?? "");
        } catch (storeError) {
          logger.error({ err: storeError }, "could not record an inbound event's outcome");
        }
        observe?.(row.channel, outcome);
      };
      if (!handler) {
        logger.error({ channel: row.channel }, "no handler for an inbound event's channel");
        finish("failed", "no handler for this channel");
        return;
      }
      if (attempts > this.maxAttempts) {
        // The earlier attempts never finished: the process stopped or crashed while handling this event.
        finish("failed", "interrupted too often");
        return;
      }
      try {
        await handler(JSON.parse(row.payload) as unknown);
        finish("done");
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (attempts >= this.maxAttempts) {
          logger.error({ err: error, channel: row.channel, attempts }, "inbound event failed; giving up");
          finish("failed", message.slice(0, 500));
          return;
        }
        logger.warn({ err: error, channel: row.channel, attempts }, "inbound event failed; will retry");
        observe?.(row.channel, "retry");
        await this.sleep(Math.min(30_000, 1000 * 2 ** (attempts - 1)));
        if (this.stopping) return;
      }
    }
  }
}

/** Within the window: not older than maxAgeMs, not further ahead than maxAheadMs. */
export function isFresh(sentAt: number, now: number, window: Freshness): boolean {
  return Number.isFinite(sentAt) && now - sentAt <= window.maxAgeMs && sentAt - now <= window.maxAheadMs;
}
