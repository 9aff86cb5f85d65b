import type { SendFailure, SendResult } from "../core/delivery/send-error.js";
import type { Channel, Locale, OutboundMessage } from "../core/types.js";

/** Why a row exists: each cause has one message kind (see message-kinds.ts). */
export type CauseType = "broadcast" | "reminder" | "handoff_reply";

export interface Cause {
  type: CauseType;
  id: number;
}

/** One message to one address, as the dispatcher sees it. */
export interface OutboxRow {
  id: number;
  causeType: CauseType;
  causeId: number;
  userId: number | null;
  channel: Channel;
  address: string;
  locale: Locale;
  urgent: boolean;
  attempts: number;
  /** when the first attempt failed (epoch ms); the delivery deadline runs from it */
  firstAttemptAt?: number;
}

/** How a row ended, as reported to its cause's message kind. */
export type RowOutcome = "sent" | "failed" | "skipped";

/** The outbox as the dispatcher uses it. */
export interface OutboxPort {
  /** Atomically marks up to `limit` due rows of a channel as being sent and returns them. */
  claimDue(channel: Channel, now: Date, limit: number, urgentOnly: boolean): OutboxRow[];
  markSent(row: OutboxRow, result: SendResult, now: Date): void;
  markRetry(row: OutboxRow, notBefore: Date, failure: SendFailure, now: Date): void;
  markFailed(row: OutboxRow, reason: string, failure: SendFailure | undefined, now: Date): void;
  /** The platform said the person is gone (blocked the bot): the address is marked too. */
  markUnreachable(row: OutboxRow, failure: SendFailure, now: Date): void;
  /** Rows left "sending" by a process that died go back to the queue; returns how many. */
  releaseClaims(): number;
  /**
   * The row cannot go out on its channel (Zalo's consultation window closed): it is skipped with the reason,
   * and the same cause is enqueued on the person's other reachable channel, if they have one (the one enqueue
   * rule "last used, except this channel"). Returns whether such a fallback row was written.
   */
  skipWithFallback(row: OutboxRow, reason: string, now: Date): boolean;
  /**
   * Queued rows for channels this process cannot send on (turned off) are skipped, so nothing waits forever.
   * Returns the causes that had rows skipped.
   */
  skipChannelsOtherThan(active: Channel[], now: Date): Cause[];
}

/** One per channel; thin, with credentials in the constructor and one result shape. */
export interface ChannelSender {
  send(address: string, message: OutboundMessage): Promise<SendResult>;
  /** false while the channel cannot send at all (Zalo token refresh failing): rows wait instead of failing */
  isReady?(): boolean;
}

/** A channel rule checked before each send; returns why the row must not go out on this channel. */
export type SendGuard = (row: OutboxRow, now: Date) => string | undefined;

/**
 * One sender per channel across the instances on a database, so a platform's rate (Telegram's is per bot) is
 * shared: the dispatcher sends on a channel only while it holds that channel's lease, renewed as it goes.
 */
export interface SenderLease {
  /** takes or renews the channel's lease; false while another instance holds it */
  hold(channel: Channel, now: Date): boolean;
  release(channel: Channel): void;
}
