import type { Clock } from "../core/ports.js";
import type { Logger } from "../core/conversation.js";
import { isQuiet, type QuietHours } from "../core/time/quiet-hours.js";
import { decide, type RetryPolicy } from "../core/delivery/retry-policy.js";
import { SendError, type SendFailure } from "../core/delivery/send-error.js";
import type { MessageKinds } from "./message-kinds.js";
import type { ChannelSender, DeliveryChannel, OutboxPort, OutboxRow, RowEnd, RowOutcome, SendGuard, SenderLease } from "./outbox-port.js";

/** How often rows on channels that are not configured are looked for. */
const SWEEP_MS = 1_000;

export interface ChannelPace {
  /** messages per second over the whole channel */
  perSecond: number;
  /** minimum gap between two messages to one private chat */
  privateChatGapMs: number;
  /** minimum gap between two messages to one group chat (Telegram: 20 a minute) */
  groupChatGapMs: number;
  /** sends in flight at once; each one in flight at a crash may be sent twice after restart */
  concurrency: number;
  /** which addresses are group chats (the channel knows: Telegram's are negative ids) */
  isGroupChat?: (address: string) => boolean;
}

/** What wiring says about one channel: its sender, its pace, and its own rule checked before each send. */
export interface DispatchChannel {
  sender: ChannelSender;
  pace: ChannelPace;
  /** e.g. Zalo's consultation window: a reason makes the row skip and fall back to another channel */
  guard?: SendGuard;
}

export interface DispatcherObserver {
  onDelivered(channel: DeliveryChannel, outcome: "sent" | "retry" | "failed" | "unreachable", failure?: SendFailure): void;
}

export interface DispatcherDeps {
  outbox: OutboxPort;
  kinds: MessageKinds;
  channels: Partial<Record<DeliveryChannel, DispatchChannel>>;
  clock: Clock;
  policy: RetryPolicy;
  quietHours?: QuietHours | undefined;
  logger: Logger;
  observer?: DispatcherObserver | undefined;
  /** real-time waits for pacing; tests may shorten idle polling */
  idleMs?: number;
  /** with several instances on one database: send on a channel only while holding its lease */
  senderLease?: SenderLease | undefined;
}

/**
 * Sends due outbox rows at each channel's pace. Rows are claimed in small batches (status "sending"), sent
 * one slot at a time, and settled with every attempt recorded. The one retry policy decides what a failure
 * means; a 429 pauses the whole channel for retry_after and lowers its rate, which recovers slowly. It knows
 * no platform (channels come from wiring) and changes no cause's status: it tells the row's message kind that
 * a row ended, and the kind decides (a broadcast's lifecycle closes it when nothing remains).
 */
export class Dispatcher {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly lanes = new Map<DeliveryChannel, Lane>();
  private sweeper: Lane | undefined;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Re-queues what a crashed process left in flight, then runs one loop per channel with a sender. */
  start(): void {
    if (this.running) return;
    const released = this.deps.outbox.releaseClaims();
    if (released > 0) this.deps.logger.warn({ released }, "re-queued deliveries left in flight by a previous run");
    this.running = true;
    this.loops.push(this.sweepUnsendable());
    for (const [channel, options] of Object.entries(this.deps.channels) as [DeliveryChannel, DispatchChannel][]) {
      const lane = new Lane(options.pace);
      this.lanes.set(channel, lane);
      this.loops.push(this.loop(channel, lane));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const lane of this.lanes.values()) lane.wake();
    this.sweeper?.wake();
    await Promise.all(this.loops);
    this.loops = [];
    this.deps.outbox.releaseClaims();
    for (const channel of this.lanes.keys()) this.deps.senderLease?.release(channel);
  }

  /** Whether this instance sends on the channel now; a database hiccup counts as not holding it. */
  private holdLease(channel: DeliveryChannel, now: Date): boolean {
    try {
      return this.deps.senderLease?.hold(channel, now) ?? true;
    } catch (error) {
      this.deps.logger.error({ err: error, channel }, "could not renew the sender lease");
      return false;
    }
  }

  /** The channel's current rate (it drops after a 429 and recovers), for metrics and benchmarks. */
  currentRate(channel: DeliveryChannel): number | undefined {
    return this.lanes.get(channel)?.rate;
  }

  /** Rows for a channel that is off would wait forever and keep their broadcast "sending": skip them. */
  private async sweepUnsendable(): Promise<void> {
    const active = Object.keys(this.deps.channels) as DeliveryChannel[];
    const lane = new Lane({ perSecond: 1, privateChatGapMs: 0, groupChatGapMs: 0, concurrency: 1 });
    this.sweeper = lane;
    while (this.running) {
      try {
        const now = this.deps.clock.now();
        const causes = this.deps.outbox.skipChannelsOtherThan(active, now);
        if (causes.length > 0) this.deps.logger.warn({ causes: causes.length }, "skipped deliveries on channels that are not configured");
        for (const cause of causes) this.deps.kinds.finished(cause, "skipped", now);
      } catch (error) {
        this.deps.logger.error({ err: error }, "could not sweep the outbox");
      }
      // Often enough that a broadcast nobody here can send to is seen as done within a second or so; the query
      // reads the outbox_due index (status, channel) and finds nothing on a healthy server.
      await lane.sleep(SWEEP_MS);
    }
  }

  private async loop(channel: DeliveryChannel, lane: Lane): Promise<void> {
    const idleMs = this.deps.idleMs ?? 250;
    while (this.running) {
      const now = this.deps.clock.now();
      if (this.deps.channels[channel]?.sender.isReady?.() === false) {
        await lane.sleep(idleMs * 20);
        continue;
      }
      if (this.deps.senderLease && !this.holdLease(channel, now)) {
        await lane.sleep(idleMs * 4);
        continue;
      }
      const urgentOnly = isQuiet(now, this.deps.quietHours);
      let rows: OutboxRow[];
      try {
        rows = this.deps.outbox.claimDue(channel, now, Math.max(1, Math.ceil(lane.rate)), urgentOnly);
      } catch (error) {
        this.deps.logger.error({ err: error, channel }, "could not read the outbox");
        await lane.sleep(idleMs * 4);
        continue;
      }
      if (rows.length === 0) {
        await lane.sleep(idleMs);
        continue;
      }
      const inFlight = new Set<Promise<void>>();
      for (const row of rows) {
        if (!this.running) break;
        await lane.waitTurn(row.address);
        if (!this.running) break;
        const job = this.deliver(channel, lane, row).finally(() => inFlight.delete(job));
        inFlight.add(job);
        if (inFlight.size >= lane.pace.concurrency) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    }
  }

  private async deliver(channel: DeliveryChannel, lane: Lane, row: OutboxRow): Promise<void> {
    const { outbox, kinds, clock, logger, observer } = this.deps;
    const options = this.deps.channels[channel];
    const message = kinds.render(row);
    if (!options || !message) {
      outbox.markFailed(row, options ? "nothing_to_send" : "channel_off", undefined, clock.now());
      this.finished(row, "failed");
      return;
    }
    const blocked = options.guard?.(row, clock.now());
    if (blocked) {
      this.end(row, { status: "skipped", reason: blocked }, "skipped");
      return;
    }
    try {
      const result = await options.sender.send(row.address, message, { deliveryId: row.id, causeType: row.causeType, locale: row.locale, template: () => kinds.templateValues(row) });
      outbox.markSent(row, result, clock.now());
      observer?.onDelivered(channel, "sent");
      this.finished(row, "sent");
    } catch (error) {
      const failure: SendFailure =
        error instanceof SendError ? error.failure : { kind: "network", description: String(error) };
      const now = clock.now();
      if (failure.kind === "rate_limited") lane.rateLimited(failure.retryAfterMs);
      const elapsedMs = row.firstAttemptAt === undefined ? 0 : now.getTime() - row.firstAttemptAt;
      const decision = decide(failure, row.attempts + 1, this.deps.policy, Math.random, elapsedMs);
      if (decision.retry) {
        outbox.markRetry(row, new Date(now.getTime() + decision.delayMs), failure, now);
        observer?.onDelivered(channel, "retry", failure);
      } else if (decision.outcome === "unreachable") {
        observer?.onDelivered(channel, "unreachable", failure);
        this.end(row, { status: "failed", reason: "unreachable", failure, unreachable: true }, "failed");
      } else if (decision.outcome === "window_closed") {
        this.end(row, { status: "skipped", reason: `outside_${channel}_window` }, "skipped");
      } else {
        observer?.onDelivered(channel, "failed", failure);
        logger.warn({ channel, outboxId: row.id, failure: failure.kind }, "delivery failed");
        const reason = (failure.kind === "bad_request" && failure.reason) || failure.kind;
        this.end(row, { status: "failed", reason, failure }, "failed");
      }
    }
  }

  /**
   * The row cannot go out (the channel refused it, or it failed for good): it ends, and the person's next step
   * of the ladder is enqueued in the same transaction; the cause hears of the end only when nothing is left.
   */
  private end(row: OutboxRow, end: RowEnd, outcome: RowOutcome): void {
    const fellBack = this.deps.outbox.endWithFallback(row, end, this.deps.clock.now());
    if (!fellBack) this.finished(row, outcome);
  }

  /** Tells the row's kind (the broadcast lifecycle, a staff reply's confirmation) that a row ended. */
  private finished(row: OutboxRow, outcome: RowOutcome): void {
    try {
      this.deps.kinds.finished({ type: row.causeType, id: row.causeId }, outcome, this.deps.clock.now());
    } catch (error) {
      this.deps.logger.error({ err: error, outboxId: row.id }, "could not report a finished delivery");
    }
  }
}

/** Pacing for one channel: evenly spaced slots, per-chat gaps, and a pause plus slow-down after a 429. */
class Lane {
  rate: number;
  private nextSlot = 0;
  private pausedUntil = 0;
  private lastLimitAt = 0;
  private readonly chatReadyAt = new Map<string, number>();
  private wakeUp: (() => void) | undefined;

  constructor(readonly pace: ChannelPace) {
    this.rate = pace.perSecond;
  }

  async waitTurn(address: string): Promise<void> {
    this.recover();
    const now = performance.now();
    const slot = Math.max(now, this.nextSlot, this.pausedUntil, this.chatReadyAt.get(address) ?? 0);
    // 2% under the configured rate absorbs timer jitter, so evenly spaced sends never bunch past the limit.
    this.nextSlot = slot + 1000 / (this.rate * 0.98);
    const gap = this.pace.isGroupChat?.(address) ? this.pace.groupChatGapMs : this.pace.privateChatGapMs;
    this.chatReadyAt.set(address, slot + gap);
    if (this.chatReadyAt.size > 50_000) this.forgetOldChats(now);
    if (slot > now) await this.sleep(slot - now);
  }

  /** Telegram said "retry after N s": everyone waits, and the lane goes 10% slower for a while. */
  rateLimited(retryAfterMs: number): void {
    const now = performance.now();
    this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
    this.rate = Math.max(1, this.rate * 0.9);
    this.lastLimitAt = now;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  wake(): void {
    this.wakeUp?.();
  }

  private recover(): void {
    if (this.rate >= this.pace.perSecond) return;
    // Back up by 5% for every 3 s without a 429.
    const quietFor = performance.now() - this.lastLimitAt;
    if (quietFor > 3_000) {
      this.rate = Math.min(this.pace.perSecond, this.rate * 1.05);
      this.lastLimitAt = performance.now();
    }
  }

  private forgetOldChats(now: number): void {
    for (const [address, readyAt] of this.chatReadyAt) if (readyAt < now) this.chatReadyAt.delete(address);
  }
}
