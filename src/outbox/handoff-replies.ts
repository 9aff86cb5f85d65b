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
  /** the staff chat message to confirm under; null for an answer from the console */
  staffChat: string | null;
  staffMessageId: string | null;
  /** the answer in the hand-off's thread, whose delivery state the outcome settles */
  messageId: number | null;
}

/** The hand-off's thread (src/handoffs/): every staff answer is recorded there, whichever path it took. */
export interface HandoffThread {
  /** Records a staff answer; returns its message id. */
  staffAnswered(handoffId: number, author: string, text: string, delivery: "queued" | "on_page", at: Date): number;
  /** `via`: where it went when that was not where the person asked ("email:a@b.vn") */
  delivered(messageId: number, outcome: "sent" | "failed", via?: string): void;
}

/** One outbox row of a reply, oldest first: the way the reply took (where asked, then the ladder). */
export interface ReplyStep {
  channel: string;
  address: string;
  status: string;
  reason: string | null;
}

/** Where a hand-off's answer goes. */
export interface ReplyTarget {
  handoffId: number;
  userId: number;
  channel: Channel;
  address: string;
  locale: Locale;
}

/** queued: in the outbox; on_page: kept for the web chat page, which fetches it; no_push: no sender for that channel here. */
export type SendOutcome = { outcome: "queued" | "on_page" | "failed"; messageId: number } | { outcome: "no_push" };

export interface HandoffReplyStore {
  add(handoffId: number, reply: StoredReply, now: Date): number;
  get(id: number): StoredReply | undefined;
  remove(id: number): void;
  /** the reply's outbox rows, oldest first */
  route(id: number): ReplyStep[];
}

/** The hand-off a staff post belongs to (undefined: the reply is to no hand-off post). */
export type AnsweredHandoff = ReplyTarget | "gone" | undefined;

export interface HandoffRepliesDeps {
  store: HandoffReplyStore;
  answerHandoff(staffMessageId: string, at: Date): AnsweredHandoff;
  thread: HandoffThread;
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
  relay(postId: string, text: string, staffMessage: { chat: string; messageId: string; author?: string | undefined }, now: Date): string | undefined {
    const { translator, staffLocale } = this.deps;
    const target = this.deps.answerHandoff(postId, now);
    if (target === undefined) return undefined;
    if (target === "gone") return translator.t("handoff_post.gone", staffLocale);
    const sent = this.send(target, text, `telegram:${staffMessage.author ?? "staff chat"}`, now, staffMessage);
    if (sent.outcome === "queued") return undefined;
    if (sent.outcome === "on_page") return translator.t("handoff_post.on_page", staffLocale);
    return translator.t(sent.outcome === "no_push" ? "handoff_post.no_push" : "handoff_post.failed", staffLocale);
  }

  /**
   * A staff answer to the person, from the staff chat or the console: recorded in the thread, then through the
   * outbox, or, for the web chat (which cannot be pushed to), kept for its page to fetch.
   */
  send(target: ReplyTarget, text: string, author: string, now: Date, staffMessage?: { chat: string; messageId: string }): SendOutcome {
    const { thread } = this.deps;
    if (target.channel === "web") return { outcome: "on_page", messageId: thread.staffAnswered(target.handoffId, author, text, "on_page", now) };
    if (!this.deps.canSend(target.channel)) return { outcome: "no_push" };
    const messageId = thread.staffAnswered(target.handoffId, author, text, "queued", now);
    const id = this.deps.store.add(
      target.handoffId,
      { text, staffChat: staffMessage?.chat ?? null, staffMessageId: staffMessage?.messageId ?? null, messageId },
      now,
    );
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
    // The chat cannot take it (the address is unreachable now): the person's next step, e-mail for registry staff.
    if (written > 0 || this.deps.enqueue.firstStep({ cause: { type: "handoff_reply", id }, userId: target.userId, urgent: true, notBefore: now }, now) > 0) {
      return { outcome: "queued", messageId };
    }
    this.deps.store.remove(id);
    thread.delivered(messageId, "failed");
    return { outcome: "failed", messageId };
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
        const route = this.deps.store.route(cause.id);
        this.deps.store.remove(cause.id);
        const sent = outcome === "sent" ? route.find((r) => r.status === "sent") : undefined;
        const detour = sent && route[0] && route[0] !== sent ? route[0] : undefined;
        const via = sent && detour ? (sent.channel === "email" ? `email:${sent.address}` : sent.channel) : undefined;
        if (reply.messageId !== null) this.deps.thread.delivered(reply.messageId, sent ? "sent" : "failed", via);
        if (reply.staffChat === null || reply.staffMessageId === null) return;
        const line = this.outcomeLine(sent, detour, route);
        this.deps.confirm(reply.staffChat, reply.staffMessageId, line).catch((error: unknown) => {
          this.deps.logger.warn({ err: error }, "could not confirm a relayed staff reply");
        });
      },
    };
  }

  /**
   * What the staff member who answered is told: passed on where the person asked; or, when that chat could not
   * take it, which channel it went by instead and why; or that it could not be delivered, and what was tried.
   */
  private outcomeLine(sent: ReplyStep | undefined, detour: ReplyStep | undefined, route: ReplyStep[]): string {
    const { translator, staffLocale: locale } = this.deps;
    const channelName = (step: ReplyStep) => translator.t(`settings.channel.${step.channel}`, locale);
    const why = (step: ReplyStep) => translator.t(`handoff_post.why.${step.reason ?? "failed"}`, locale, { defaultValue: step.reason ?? "" });
    if (sent && !detour) return translator.t("handoff_post.relayed", locale);
    if (sent && detour) {
      const where = sent.channel === "email" ? `${channelName(sent)} ${sent.address}` : channelName(sent);
      return translator.t("handoff_post.relayed_via", locale, { via: where, from: channelName(detour), why: why(detour) });
    }
    if (route.length === 0) return translator.t("handoff_post.failed", locale);
    const tried = route.map((r) => `${channelName(r)}: ${why(r)}`).join("; ");
    return translator.t("handoff_post.failed_tried", locale, { tried });
  }
}
