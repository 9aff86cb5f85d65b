import { SendError, type SendResult } from "../../core/delivery/send-error.js";
import type { OutboundMessage } from "../../core/types.js";
import type { Cause, CauseType, ChannelSender, OutboxRow, SendContext, SendGuard } from "../../outbox/outbox-port.js";
import { chooseZaloMessageType, monthRange, quotaTypes, zaloSkipReason, zaloUseOf, type ZaloMessageType } from "../../reach/zalo-message-types.js";
import { anonymousRecipient } from "./zalo-address.js";
import type { ZaloTemplateMessage } from "./zalo-client.js";
import { templateFailure } from "./zalo-oa-errors.js";
import { toTemplateMessage } from "./zalo-template-message.js";

/** The slice of ZaloClient that sends transaction and promotion messages. */
export interface ZaloTemplateMessaging {
  sendTemplateMessage(endpoint: string, userId: string, template: ZaloTemplateMessage): Promise<{ messageId: string }>;
}

/** When the follower last wrote (epoch ms) and what they got in a span of time, per type. */
export interface ZaloFollowerUsage {
  lastInbound(address: string): number | undefined;
  otherChatUntried(userId: number, causeType: string, causeId: number): boolean;
  sentBetween(address: string, from: number, to: number): Record<string, number>;
}

export interface ZaloTypedSenderOptions {
  /** the consultation sender (text split in 2,000-character messages, buttons five to a message) */
  consultation: ChannelSender;
  client: ZaloTemplateMessaging;
  /** templates/zalo-message-types.yaml */
  types: ZaloMessageType[];
  usage: ZaloFollowerUsage;
  /** the time zone of the calendar month the quotas count in */
  timeZone: string;
  now: () => Date;
}

type Choice = ReturnType<typeof chooseZaloMessageType>;

/**
 * The Zalo OA channel of the outbox: each row goes by the message type templates/zalo-message-types.yaml
 * allows for its cause and follower now — consultation while the follower's window is open, else a
 * transaction message (reminders, hand-off replies) or a promotion message within the follower's monthly
 * quota (broadcasts). The ladder keeps its order: with the window closed, the person's other chat and a ZNS
 * step come before a paid transaction message, which replaces e-mail or nothing. The guard skips a row no
 * type can carry (`outside_zalo_window`, `zalo_quota`); the report records the type used (`zalo_type`).
 * Sends without a cause (a test send to one's own chat) are consultation messages.
 */
export class ZaloTypedSender implements ChannelSender {
  /** the guard's decision for a row, taken by its send right after (one Zalo send at a time) */
  private readonly decided = new Map<number, Choice>();
  private ladderTakesOver: ((cause: Cause, now: Date) => boolean) | undefined;

  constructor(private readonly options: ZaloTypedSenderOptions) {}

  /**
   * Whether the delivery ladder will carry a cause by ZNS (a due-day or late reminder to a registry person with
   * a mobile number, within the budget); wired once the ZNS lane exists.
   */
  useLadder(takesOver: (cause: Cause, now: Date) => boolean): void {
    this.ladderTakesOver = takesOver;
  }

  isReady(): boolean {
    return this.options.consultation.isReady?.() ?? true;
  }

  /** Skips what no type can carry now; the dispatcher tries the person's other channel. */
  guard(): SendGuard {
    return (row: OutboxRow, now: Date) => {
      let choice = this.choose(row.address, row.causeType, now);
      if (choice.type?.window_hours === null && this.betterStepAhead(row, now)) choice = { type: undefined, reason: "window_closed" };
      if (choice.type === undefined) return zaloSkipReason(choice.reason);
      if (this.decided.size > 1000) this.decided.clear();
      this.decided.set(row.id, choice);
      return undefined;
    };
  }

  async send(address: string, message: OutboundMessage, context?: SendContext): Promise<SendResult> {
    if (!context?.causeType) return this.options.consultation.send(address, message, context);
    const choice = this.decided.get(context.deliveryId) ?? this.choose(address, context.causeType, this.options.now());
    this.decided.delete(context.deliveryId);
    if (choice.type === undefined) throw new SendError({ kind: "window_closed", description: `no Zalo message type can reach this follower now (${choice.reason})` });
    if (choice.type.window_hours !== null) {
      const sent = await this.options.consultation.send(address, message, context);
      return { ...sent, messageType: choice.type.name };
    }
    try {
      const template = toTemplateMessage(message, choice.type.template, context.locale ?? "vi");
      const sent = await this.options.client.sendTemplateMessage(choice.type.endpoint, address, template);
      return { providerMessageId: sent.messageId, messageType: choice.type.name };
    } catch (error) {
      throw new SendError(templateFailure(error));
    }
  }

  /**
   * The window is closed, but the ladder has a better next step than a paid Zalo template message: the
   * person's other chat (free), or ZNS where the ladder sends it. The transaction message is for the rest.
   */
  private betterStepAhead(row: OutboxRow, now: Date): boolean {
    if (row.userId !== null && this.options.usage.otherChatUntried(row.userId, row.causeType, row.causeId)) return true;
    return this.ladderTakesOver?.({ type: row.causeType, id: row.causeId }, now) ?? false;
  }

  private choose(address: string, causeType: CauseType, now: Date): Choice {
    const { types, usage, timeZone } = this.options;
    // An anonymous chat takes consultation text only.
    const usable = anonymousRecipient(address) ? types.filter((t) => t.window_hours !== null) : types;
    const use = zaloUseOf(causeType);
    const last = usage.lastInbound(address);
    const counted = quotaTypes(usable.filter((t) => t.use_for.includes(use)));
    const range = monthRange(now, timeZone);
    const sentThisMonth = counted.length > 0 ? usage.sentBetween(address, range.from, range.to) : {};
    return chooseZaloMessageType(usable, use, {
      hoursSinceLastMessage: last === undefined ? null : (now.getTime() - last) / 3_600_000,
      sentThisMonth,
    });
  }
}
