import type { Actor } from "../access/actor.js";
import type { AuditLog } from "../access/audit-log.js";
import { type AccessScopes, assertCanWrite } from "../access/scopes.js";
import type { Channel, Locale } from "../core/types.js";
import type { HandoffThread, ReplyTarget, SendOutcome } from "../outbox/handoff-replies.js";

export type HandoffStatus = "open" | "answered" | "closed";
export type Delivery = "queued" | "sent" | "failed" | "on_page";

export interface HandoffRow {
  id: number;
  userId: number;
  channel: Channel;
  locale: Locale;
  question: string | null;
  /** JSON: the conversation before the request (LoggedMessage[]) */
  transcript: string;
  status: HandoffStatus;
  createdAt: Date;
  answeredAt: Date | null;
}

export interface ThreadMessage {
  id: number;
  direction: "in" | "out";
  author: string;
  text: string;
  at: Date;
  delivery: Delivery | null;
  /** where a sent staff answer went ("zalo", "email:a@b.vn"); null until sent, or when it went where asked */
  deliveredVia?: string | null;
}

export type NewMessage = Omit<ThreadMessage, "id" | "delivery" | "deliveredVia"> & { delivery?: Delivery };
export type HandoffTarget = ReplyTarget;

export interface HandoffInboxStore {
  /** `units`: only hand-offs of people who follow one of these units (undefined: all) */
  list(filter: { status?: HandoffStatus; units?: Set<number> }, limit: number): HandoffRow[];
  get(id: number, units?: Set<number>): HandoffRow | undefined;
  messages(handoffId: number): ThreadMessage[];
  lastMessages(handoffIds: number[], perThread: number): Map<number, ThreadMessage[]>;
  target(handoffId: number): HandoffTarget | "gone" | undefined;
  /** An "out" message marks the hand-off answered; firstAnswerMs is set on its first answer. */
  addMessage(handoffId: number, message: NewMessage): { id: number; firstAnswerMs: number | undefined };
  setDelivery(messageId: number, delivery: Delivery, via?: string | null): void;
  setStatus(id: number, status: HandoffStatus): void;
  /** open hand-offs (of people who follow one of `units`, when given) */
  countWaiting(units?: Set<number>): number;
  /** ms from request to first staff answer, of hand-offs requested since `since` and answered */
  firstAnswerTimes(since: Date, units?: Set<number>): number[];
  /** Staff answers to the web chat person behind `address` after a message id; marks them seen. */
  webReplies(address: string, afterId: number, limit: number): ThreadMessage[];
}

/** A refusal the routes turn into `{error, code, field?}`. */
export class HandoffError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface HandoffInboxDeps {
  store: HandoffInboxStore;
  scopes: AccessScopes;
  audit: AuditLog;
  /** sends a staff answer (HandoffReplies.send): outbox, or kept for the web chat page */
  send(target: ReplyTarget, text: string, author: string, now: Date): SendOutcome;
  /** time to first answer, in seconds */
  observeFirstAnswer?(seconds: number): void;
}

const LAST_MESSAGES = 3;
/** the median time to first answer is over the hand-offs requested in this many days */
export const STATS_DAYS = 30;
const LIST_LIMIT = 200;

export interface HandoffStats {
  /** open hand-offs: the person waits for a staff answer (metric bot_handoffs_waiting) */
  waiting: number;
  /** median time from request to first staff answer over the last `days` days (bot_handoff_first_answer_seconds) */
  medianFirstAnswerSeconds: number | null;
  /** how many hand-offs that median is over */
  answered: number;
  days: number;
}

export interface ShownMessage {
  direction: "in" | "out";
  author: string;
  text: string | null;
  at: string;
  delivery?: Delivery | null;
  /** where a sent staff answer went when it could not go back where the person asked ("email:a@b.vn") */
  deliveredVia?: string | null;
  id?: number;
}

/**
 * The hand-off inbox of the console (Hỗ trợ): threads of requests for a person, answered by staff from the
 * console or the Telegram staff chat, one thread either way. open → answered (staff replied last) → closed;
 * a follow-up of the person makes an answered thread open again. An office admin sees the hand-offs of people
 * who follow one of its units; any other is "not found", like one that does not exist.
 */
export class HandoffInbox implements HandoffThread {
  constructor(private readonly deps: HandoffInboxDeps) {}

  list(actor: Actor, status: HandoffStatus | undefined, now: Date): { handoffs: Record<string, unknown>[]; stats: HandoffStats } {
    const units = this.deps.scopes.unitScope(actor);
    const rows = this.deps.store.list({ ...(status ? { status } : {}), ...(units ? { units } : {}) }, LIST_LIMIT);
    const threads = this.deps.store.lastMessages(rows.map((r) => r.id), Number.MAX_SAFE_INTEGER);
    return {
      handoffs: rows.map((row) => {
        const thread = threads.get(row.id) ?? [];
        const shown = [...context(row), ...thread.map(show)];
        return { ...summary(row, thread, now), lastMessages: shown.slice(-LAST_MESSAGES) };
      }),
      stats: this.stats(units, now),
    };
  }

  /** What the inbox shows at its top, as the metrics count it, within the actor's reach. */
  private stats(units: Set<number> | undefined, now: Date): HandoffStats {
    const times = this.deps.store.firstAnswerTimes(new Date(now.getTime() - STATS_DAYS * 86_400_000), units).sort((a, b) => a - b);
    const mid = Math.floor(times.length / 2);
    const median = times.length === 0 ? null : times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
    return {
      waiting: this.deps.store.countWaiting(units),
      medianFirstAnswerSeconds: median === null ? null : Math.round(Math.max(0, median) / 1000),
      answered: times.length,
      days: STATS_DAYS,
    };
  }

  get(id: number, actor: Actor, now: Date): Record<string, unknown> {
    const row = this.find(id, actor);
    const thread = this.deps.store.messages(id);
    return { ...summary(row, thread, now), context: context(row), messages: thread.map(show) };
  }

  reply(id: number, text: string, actor: Actor, now: Date): { message: ShownMessage; delivery: Delivery } {
    assertCanWrite(actor);
    const row = this.find(id, actor);
    if (row.status === "closed") throw new HandoffError(409, "handoff_closed", "this hand-off is closed; reopen it to answer");
    const target = this.deps.store.target(row.id);
    if (target === undefined || target === "gone") throw new HandoffError(409, "handoff_gone", "the person deleted their data or can no longer be reached on this channel");
    const sent = this.deps.send(target, text, actor.label, now);
    if (sent.outcome === "no_push") throw new HandoffError(409, "channel_not_enabled", `the ${row.channel} channel is not enabled on this server`);
    const delivery: Delivery = sent.outcome === "on_page" ? "on_page" : sent.outcome === "failed" ? "failed" : "queued";
    this.deps.audit.record({ actor, action: "handoff.reply", target: `handoff:${id}`, detail: { delivery }, at: now });
    return { message: { id: sent.messageId, direction: "out", author: actor.label, text, at: now.toISOString(), delivery }, delivery };
  }

  close(id: number, actor: Actor, now: Date): { id: number; status: HandoffStatus } {
    return this.setStatus(id, actor, now, "closed");
  }

  reopen(id: number, actor: Actor, now: Date): { id: number; status: HandoffStatus } {
    return this.setStatus(id, actor, now, "open");
  }

  /** Staff answers for a web chat page, after the message id it last saw. */
  webReplies(address: string, after: number): { messages: { id: number; text: string; at: string }[]; cursor: number } {
    const messages = this.deps.store.webReplies(address, after, 50);
    return { messages: messages.map((m) => ({ id: m.id, text: m.text, at: m.at.toISOString() })), cursor: messages.at(-1)?.id ?? after };
  }

  waiting(): number {
    return this.deps.store.countWaiting();
  }

  /** The median time to first answer over every hand-off (the metric beside the console's figure). */
  medianFirstAnswerSeconds(now: Date): number | null {
    return this.stats(undefined, now).medianFirstAnswerSeconds;
  }

  staffAnswered(handoffId: number, author: string, text: string, delivery: "queued" | "on_page", at: Date): number {
    const added = this.deps.store.addMessage(handoffId, { direction: "out", author, text, at, delivery });
    if (added.firstAnswerMs !== undefined) this.deps.observeFirstAnswer?.(Math.max(0, added.firstAnswerMs) / 1000);
    return added.id;
  }

  delivered(messageId: number, outcome: "sent" | "failed", via?: string): void {
    this.deps.store.setDelivery(messageId, outcome, via ?? null);
  }

  private setStatus(id: number, actor: Actor, now: Date, status: "open" | "closed"): { id: number; status: HandoffStatus } {
    assertCanWrite(actor);
    const row = this.find(id, actor);
    if (row.status === "closed" && status === "closed") return { id, status };
    if (row.status !== "closed" && status === "open") return { id, status: row.status };
    this.deps.store.setStatus(id, status);
    this.deps.audit.record({ actor, action: status === "closed" ? "handoff.close" : "handoff.reopen", target: `handoff:${id}`, at: now });
    return { id, status };
  }

  private find(id: number, actor: Actor): HandoffRow {
    const row = this.deps.store.get(id, this.deps.scopes.unitScope(actor));
    if (!row) throw new HandoffError(404, "not_found", `no hand-off ${id}`);
    return row;
  }
}

function show(m: ThreadMessage): ShownMessage {
  return { id: m.id, direction: m.direction, author: m.author, text: m.text, at: m.at.toISOString(), delivery: m.delivery, deliveredVia: m.deliveredVia ?? null };
}

/** The conversation before the request, as the staff chat post showed it. */
function context(row: HandoffRow): ShownMessage[] {
  let recent: { direction: "in" | "out"; text: string | null; intent: string | null; at: string }[] = [];
  try {
    recent = JSON.parse(row.transcript) as typeof recent;
  } catch {
    recent = [];
  }
  return recent.map((m) => ({ direction: m.direction, author: m.direction === "in" ? "person" : "bot", text: m.text ?? (m.direction === "out" ? `(${m.intent ?? "answer"})` : null), at: new Date(m.at).toISOString() }));
}

/**
 * How long the person has waited: from the request, or from their first message after the last staff answer;
 * null while staff answered last or the thread is closed.
 */
function summary(row: HandoffRow, thread: ThreadMessage[], now: Date): Record<string, unknown> {
  let since: Date | null = null;
  if (row.status === "open") {
    since = row.createdAt;
    for (const m of thread) {
      if (m.direction === "out") since = null;
      else if (since === null) since = m.at;
    }
    since ??= row.createdAt;
  }
  return {
    id: row.id,
    status: row.status,
    channel: row.channel,
    locale: row.locale,
    question: row.question,
    createdAt: row.createdAt.toISOString(),
    answeredAt: row.answeredAt?.toISOString() ?? null,
    waitingSince: since?.toISOString() ?? null,
    waitingSeconds: since ? Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000)) : null,
  };
}
