import type { Logger } from "../../core/conversation.js";
import type { ChannelSender } from "../../outbox/outbox-port.js";
import { DEFAULT_RETRY_POLICY, sendWithRetry, type RetryPolicy } from "../../core/delivery/retry-policy.js";
import type { Clock, Translator } from "../../core/ports.js";
import { payloadFor } from "../../core/answer-book.js";
import type { InboundEvent, Locale, OutboundMessage, Reply, RichText } from "../../core/types.js";
import type { Metrics } from "../../infra/metrics.js";
import { ZALO_MAX_BUTTONS } from "./zalo-sender.js";
import type { ZaloEventHandlers, ZaloTextEvent, ZnsReceipt } from "./zalo-webhook.js";

/** The one thing the channel needs from the core (Conversation implements it). */
export interface ConversationPort {
  handle(event: InboundEvent): Promise<Reply>;
}

export interface ZaloChannelOptions {
  /** ZaloSender (or anything sending an OutboundMessage to a Zalo user id) */
  sender: ChannelSender;
  conversation: ConversationPort;
  translator: Translator;
  clock: Clock;
  logger: Logger;
  defaultLocale: Locale;
  /** every message or follow from the user: the consultation window (7 days) runs from the last one */
  recordInbound: (userId: string, at: Date) => void | Promise<void>;
  /** Zalo said the user cannot be reached (-213 not following, -227 inactive, -244 restricted this type) */
  markUnreachable: (userId: string, at: Date) => void | Promise<void>;
  /** the user unfollowed the OA: unsubscribe them (nothing can be sent to them any more) */
  markUnfollowed?: (userId: string, at: Date) => void | Promise<void>;
  /** a ZNS delivery receipt: mark the delivery (the outbox row); false when no ZNS delivery matches it */
  recordZnsReceipt?: (receipt: ZnsReceipt) => boolean;
  /** the user's language if known, for the "text only" answer (which does not go through the core) */
  localeOf?: (userId: string) => Locale | undefined;
  metrics?: Metrics | undefined;
  retryPolicy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The Zalo adapter: each webhook event becomes one InboundEvent for the core (channel "zalo", address =
 * the user's Zalo id), and the replies go out through the sender under the shared retry policy. A follow (or
 * a first tap on "Nhắn tin") is answered like /start, in ONE message (each message counts against the OA's
 * quota); pictures, stickers and files without a caption get a polite "text only".
 */
export class ZaloChannel {
  constructor(private readonly options: ZaloChannelOptions) {}

  /** The webhook's handlers, bound to this channel: `zaloWebhookRoute({ ...channel.handlers(), ... })`. */
  handlers(): ZaloEventHandlers {
    return {
      onText: (event) => this.onText(event),
      onFollow: (userId) => this.onFollow(userId),
      onUnfollow: (userId) => this.onUnfollow(userId),
      onNonText: (userId) => this.onNonText(userId),
      onZnsReceipt: (receipt) => this.onZnsReceipt(receipt),
    };
  }

  async onText(event: ZaloTextEvent): Promise<void> {
    const at = this.options.clock.now();
    await this.recordInbound(event.userId, at);
    await this.converse(event.userId, event.text, at);
  }

  async onFollow(userId: string): Promise<void> {
    const at = this.options.clock.now();
    await this.recordInbound(userId, at);
    await this.converse(userId, "/start", at, (messages) => this.oneMessage(messages, userId));
  }

  async onUnfollow(userId: string): Promise<void> {
    const at = this.options.clock.now();
    try {
      await this.options.markUnfollowed?.(userId, at);
    } catch (error) {
      this.options.logger.error({ err: error }, "zalo: could not record an unfollow");
    }
  }

  onZnsReceipt(receipt: ZnsReceipt): void {
    const recorded = this.options.recordZnsReceipt?.(receipt) ?? false;
    // A receipt for a message this server did not send (another system on the same OA, or an old row
    // purged since) is ignored; it is not an error.
    if (!recorded) this.options.logger.info({ msgId: receipt.msgId, trackingId: receipt.trackingId }, "zns receipt for no known delivery; ignored");
  }

  async onNonText(userId: string): Promise<void> {
    const at = this.options.clock.now();
    await this.recordInbound(userId, at);
    const locale = this.options.localeOf?.(userId) ?? this.options.defaultLocale;
    const text = this.options.translator.t("non_text", locale);
    await this.deliver(userId, [{ text: { lines: [[{ text }]] }, buttons: [] }]);
  }

  private async recordInbound(userId: string, at: Date): Promise<void> {
    try {
      await this.options.recordInbound(userId, at);
    } catch (error) {
      // The answer matters more than the bookkeeping.
      this.options.logger.error({ err: error }, "zalo: could not record the inbound time");
    }
  }

  /**
   * The welcome as one message: the texts together, and at most five buttons (Zalo's limit per message); when
   * the menu has more, the first four and a fifth that opens the whole menu.
   */
  private oneMessage(messages: OutboundMessage[], userId: string): OutboundMessage[] {
    if (messages.length === 0) return messages;
    const text: RichText = { lines: messages.flatMap((m, i) => (i === 0 ? m.text.lines : [[], ...m.text.lines])) };
    let buttons = messages.flatMap((m) => m.buttons);
    if (buttons.length > ZALO_MAX_BUTTONS) {
      const locale = this.options.localeOf?.(userId) ?? this.options.defaultLocale;
      const more = { label: this.options.translator.t("commands.menu", locale), payload: payloadFor("menu") };
      buttons = [...buttons.slice(0, ZALO_MAX_BUTTONS - 1), more];
    }
    return [{ text, buttons }];
  }

  private async converse(
    userId: string,
    text: string,
    at: Date,
    shape: (messages: OutboundMessage[]) => OutboundMessage[] = (messages) => messages,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    const reply = await this.options.conversation.handle({
      channel: "zalo",
      address: userId,
      text,
      kind: "text", // a tapped oa.query.hide button comes back as its payload text ("#target")
      receivedAt: at,
    });
    this.options.metrics?.replyLatency.observe({ channel: "zalo" }, Number(process.hrtime.bigint() - started) / 1e9);
    await this.deliver(userId, shape(reply.messages));
  }

  /** Sends replies in order; -32 waits, -213/-227/-244 mark the user unreachable, a refusal is not retried. */
  async deliver(userId: string, messages: OutboundMessage[]): Promise<boolean> {
    const { metrics, logger } = this.options;
    const policy = this.options.retryPolicy ?? { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 };
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (const message of messages) {
      const outcome = await sendWithRetry(() => this.options.sender.send(userId, message), policy, sleep, (failure) => {
        metrics?.sendErrors.inc({ channel: "zalo", kind: failure.kind });
      });
      if (outcome.ok) continue;
      metrics?.sendErrors.inc({ channel: "zalo", kind: outcome.failure.kind });
      if (outcome.outcome === "unreachable") {
        try {
          await this.options.markUnreachable(userId, this.options.clock.now());
        } catch (error) {
          logger.error({ err: error }, "zalo: could not mark a user unreachable");
        }
        logger.info({ failure: outcome.failure }, "zalo user cannot be reached; marked unreachable");
      } else {
        logger.warn({ failure: outcome.failure }, "zalo reply not delivered");
      }
      return false;
    }
    return true;
  }
}
