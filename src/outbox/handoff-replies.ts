import type { Logger } from "../core/conversation.js";
import type { Translator } from "../core/ports.js";
import { plainText } from "../core/rich-text.js";
import type { Channel, Locale } from "../core/types.js";
import type { Enqueue } from "./enqueue.js";
import type { MessageKind } from "./message-kinds.js";
import type { Cause, RowOutcome } from "./outbox-port.js";

/** A staff member's answer, stored until its delivery ends. */
export interface StoredReply {
  text: string;
  staffChat: string;
  staffMessageId: string;
}

export interface HandoffReplyStore {
  add(handoffId: number, reply: StoredReply, now: Date): number;
  get(id: number): StoredReply | undefined;
  remove(id: number): void;
}

/** The hand-off a staff post belongs to, closed as answered (see ConversationStore.answerHandoff). */
export type AnsweredHandoff = { handoffId: number; userId: number; channel: Channel; address: string; locale: Locale } | "gone" | undefined;

export interface HandoffRepliesDeps {
  store: HandoffReplyStore;
  answerHandoff(staffMessageId: string, at: Date): AnsweredHandoff;
  enqueue: Enqueue;
  translator: Translator;
  /** the staff chat's language */
  staffLocale: Locale;
  /** whether the outbox can send on a channel in this process */
  canSend(channel: Channel): boolean;
  /** posts a line in the staff chat under the staff member's reply */
  confirm(staffChat: string, staffMessageId: string, text: string): Promise<void>;
  logger: Logger;
}

/**
 * A staff member's reply to a hand-off post goes to the person through the outbox (paced, retried, Zalo's
 * window and fallback applied like any other message). The staff chat hears "passed on" only once the row was
 * sent, and "could not be delivered" when it ended otherwise; refusals known at once are answered at once.
 */
export class HandoffReplies {
  constructor(private readonly deps: HandoffRepliesDeps) {}

  /** Returns the line to post in the staff chat now, or undefined when the outcome will be posted later. */
  relay(postId: string, text: string, staffMessage: { chat: string; messageId: string }, now: Date): string | undefined {
    const { translator, staffLocale } = this.deps;
    const target = this.deps.answerHandoff(postId, now);
    if (target === undefined) return undefined;
    if (target === "gone") return translator.t("handoff_post.gone", staffLocale);
    if (!this.deps.canSend(target.channel)) return translator.t("handoff_post.no_push", staffLocale);
    const id = this.deps.store.add(target.handoffId, { text, staffChat: staffMessage.chat, staffMessageId: staffMessage.messageId }, now);
    const written = this.deps.enqueue.person(
      {
        cause: { type: "handoff_reply", id },
        userId: target.userId,
        rule: { channel: target.channel, address: target.address },
        // The person is waiting for this answer: quiet hours do not hold it.
        urgent: true,
        notBefore: now,
      },
      now,
    );
    if (written > 0) return undefined;
    this.deps.store.remove(id);
    return translator.t("handoff_post.failed", staffLocale);
  }

  kind(): MessageKind {
    return {
      render: (row) => {
        const reply = this.deps.store.get(row.causeId);
        if (!reply) return undefined;
        return { text: plainText(`${this.deps.translator.t("staff_reply", row.locale)}\n\n${reply.text}`), buttons: [] };
      },
      finished: (cause: Cause, outcome: RowOutcome) => {
        const reply = this.deps.store.get(cause.id);
        if (!reply) return;
        this.deps.store.remove(cause.id);
        const line = this.deps.translator.t(outcome === "sent" ? "handoff_post.relayed" : "handoff_post.failed", this.deps.staffLocale);
        this.deps.confirm(reply.staffChat, reply.staffMessageId, line).catch((error: unknown) => {
          this.deps.logger.warn({ err: error }, "could not confirm a relayed staff reply");
        });
      },
    };
  }
}
