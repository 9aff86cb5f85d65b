import type { SendFailure, SendResult } from "../core/delivery/send-error.js";
import type { Channel, Locale, OutboundMessage } from "../core/types.js";

/** Where a row goes: a chat, or (the ladder, registry staff only) a ZNS message by phone or an e-mail. */
export type DeliveryChannel = Channel | "zns" | "email";

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
  channel: DeliveryChannel;
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
  claimDue(channel: DeliveryChannel, now: Date, limit: number, urgentOnly: boolean): OutboxRow[];
  markSent(row: OutboxRow, result: SendResult, now: Date): void;
  markRetry(row: OutboxRow, notBefore: Date, failure: SendFailure, now: Date): void;
  /** The row ends as failed and nothing else is tried (nothing to send: the reminder became moot). */
  markFailed(row: OutboxRow, reason: string, failure: SendFailure | undefined, now: Date): void;
  /**
   * The row ended without being delivered: it is settled as `end` says (skipped with a reason; failed with the
   * last failure; unreachable, which also marks the address) and, in the same transaction, the next step of the
   * person's ladder is enqueued: their other chat not yet tried, then, for the causes the ladder covers
   * (reminders to registry staff), ZNS and e-mail. A skip always takes the next step; a definitive failure does
   * for the causes the ladder covers. Returns whether a next row was written.
   */
  endWithFallback(row: OutboxRow, end: RowEnd, now: Date): boolean;
  /** Rows left "sending" by a process that died go back to the queue; returns how many. */
  releaseClaims(): number;
  /**
   * Queued rows for channels this process cannot send on (turned off) are skipped, so nothing waits forever.
   * Returns the causes that had rows skipped.
   */
  skipChannelsOtherThan(active: DeliveryChannel[], now: Date): Cause[];
}

/** How a row that was not delivered ends (see OutboxPort.endWithFallback). */
export type RowEnd =
  | { status: "skipped"; reason: string }
  | { status: "failed"; reason: string; failure?: SendFailure | undefined; unreachable?: boolean };

/** What a sender may need beyond the rendered message: ZNS sends template data, not text. */
export interface SendContext {
  /** the outbox row's id (ZNS's tracking_id, so a retry is recognisable) */
  deliveryId: number;
  /** why the row exists (Zalo picks its message type by it: a reminder outside the window goes as a transaction) */
  causeType?: CauseType;
  /** the row's language (a Zalo template message names it) */
  locale?: Locale;
  /** the message's structured values for a template channel, from the row's message kind */
  template(): TemplateValues | undefined;
}

/** A message kind's values for a ZNS template (templates/zns.yaml names the kind and the parameters). */
export interface TemplateValues {
  kind: "reminder_due" | "reminder_late" | "late_summary";
  values: Record<string, string | number>;
}

/** One per channel; thin, with credentials in the constructor and one result shape. */
export interface ChannelSender {
  send(address: string, message: OutboundMessage, context?: SendContext): Promise<SendResult>;
  /** false while the channel cannot send at all (Zalo token refresh failing): rows wait instead of failing */
  isReady?(): boolean;
}

/** One step of the ladder after the chats, for one registry person and one cause. */
export interface OffChatStep {
  channel: "zns" | "email";
  /** the normalised phone (84…) or the e-mail address; what the registry holds when the step is unusable */
  address: string;
  /** why the step cannot be used (no mobile number, unsubscribed, budget spent): written as a skipped row */
  unusable?: string | undefined;
}

/** Which causes climb the ladder past the chats, and the steps they may take (wiring decides, from config). */
export interface LadderPolicy {
  /** whether a definitive failure of this cause's row takes the next step (reminders and summaries) */
  covers(cause: Cause): boolean;
  /** the registry person's steps after the chats, in order; [] when the cause stays in the chats */
  offChat(cause: Cause, now: Date): OffChatStep[];
  /**
   * The person's own order of every channel ("email", "zalo", "telegram", "zns"), when they chose one
   * (/settings, the console) and the cause follows it (reminders); undefined: chats first, used last first.
   */
  order?(cause: Cause): string[] | undefined;
}

/** A channel rule checked before each send; returns why the row must not go out on this channel. */
export type SendGuard = (row: OutboxRow, now: Date) => string | undefined;

/**
 * One sender per channel across the instances on a database, so a platform's rate (Telegram's is per bot) is
 * shared: the dispatcher sends on a channel only while it holds that channel's lease, renewed as it goes.
 */
export interface SenderLease {
  /** takes or renews the channel's lease; false while another instance holds it */
  hold(channel: DeliveryChannel, now: Date): boolean;
  release(channel: DeliveryChannel): void;
}
