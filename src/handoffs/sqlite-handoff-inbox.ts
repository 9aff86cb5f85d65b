import { and, asc, desc, eq, gt, gte, inArray, isNotNull, ne, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { channelAddresses, handoffMessages, handoffs, userUnits } from "../db/schema.js";
import type { Channel, Locale } from "../core/types.js";
import type { Delivery, HandoffInboxStore, HandoffRow, HandoffStatus, HandoffTarget, NewMessage, ThreadMessage } from "./handoff-inbox.js";

type Row = typeof handoffs.$inferSelect;
type MessageRow = typeof handoffMessages.$inferSelect;

/** SQLite side of the hand-off inbox: threads, their status, and who may see them (user_units). */
export class SqliteHandoffInbox implements HandoffInboxStore {
  constructor(private readonly db: Db) {}

  list(filter: { status?: HandoffStatus; units?: Set<number> }, limit: number): HandoffRow[] {
    const where: SQL[] = [];
    if (filter.status) where.push(eq(handoffs.status, filter.status));
    const scope = this.scopeCondition(filter.units);
    if (scope) where.push(scope);
    // Waiting ones first, the longest waiting at the top; then the rest, newest first.
    return this.db
      .select()
      .from(handoffs)
      .where(and(...where))
      .orderBy(sql`CASE ${handoffs.status} WHEN 'open' THEN 0 WHEN 'answered' THEN 1 ELSE 2 END`, sql`CASE WHEN ${handoffs.status} = 'open' THEN ${handoffs.createdAt} ELSE -${handoffs.createdAt} END`)
      .limit(limit)
      .all()
      .map(toRow);
  }

  get(id: number, units?: Set<number>): HandoffRow | undefined {
    const scope = this.scopeCondition(units);
    const row = this.db
      .select()
      .from(handoffs)
      .where(and(eq(handoffs.id, id), ...(scope ? [scope] : [])))
      .get();
    return row ? toRow(row) : undefined;
  }

  messages(handoffId: number): ThreadMessage[] {
    return this.db.select().from(handoffMessages).where(eq(handoffMessages.handoffId, handoffId)).orderBy(asc(handoffMessages.id)).all().map(toMessage);
  }

  lastMessages(handoffIds: number[], perThread: number): Map<number, ThreadMessage[]> {
    const found = new Map<number, ThreadMessage[]>();
    if (handoffIds.length === 0) return found;
    const rows = this.db
      .select()
      .from(handoffMessages)
      .where(inArray(handoffMessages.handoffId, handoffIds))
      .orderBy(desc(handoffMessages.id))
      .all();
    for (const row of rows) {
      const list = found.get(row.handoffId) ?? [];
      if (list.length < perThread) list.unshift(toMessage(row));
      found.set(row.handoffId, list);
    }
    return found;
  }

  target(handoffId: number): HandoffTarget | "gone" | undefined {
    const handoff = this.db.select().from(handoffs).where(eq(handoffs.id, handoffId)).get();
    return handoff ? this.targetOf(handoff) : undefined;
  }

  targetOfPost(staffMessageId: string): HandoffTarget | "gone" | undefined {
    const handoff = this.db.select().from(handoffs).where(eq(handoffs.staffMessageId, staffMessageId)).get();
    return handoff ? this.targetOf(handoff) : undefined;
  }

  addMessage(handoffId: number, message: NewMessage): { id: number; firstAnswerMs: number | undefined } {
    return this.db.transaction((tx) => {
      const handoff = tx.select().from(handoffs).where(eq(handoffs.id, handoffId)).get();
      if (!handoff) throw new Error(`no hand-off ${handoffId}`);
      const id = tx
        .insert(handoffMessages)
        .values({ handoffId, direction: message.direction, author: message.author, text: message.text, at: message.at.getTime(), delivery: message.delivery ?? null })
        .returning({ id: handoffMessages.id })
        .get().id;
      let firstAnswerMs: number | undefined;
      if (message.direction === "out") {
        const first = handoff.answeredAt === null;
        if (first) firstAnswerMs = message.at.getTime() - handoff.createdAt;
        tx.update(handoffs)
          .set({ status: "answered", answeredAt: first ? message.at.getTime() : handoff.answeredAt })
          .where(eq(handoffs.id, handoffId))
          .run();
      }
      return { id, firstAnswerMs };
    });
  }

  setDelivery(messageId: number, delivery: Delivery, via?: string | null): void {
    this.db.update(handoffMessages).set({ delivery, deliveredVia: via ?? null }).where(eq(handoffMessages.id, messageId)).run();
  }

  setStatus(id: number, status: HandoffStatus): void {
    this.db.update(handoffs).set({ status }).where(eq(handoffs.id, id)).run();
  }

  countWaiting(units?: Set<number>): number {
    const scope = this.scopeCondition(units);
    return this.db.select({ n: sql<number>`count(*)` }).from(handoffs).where(and(eq(handoffs.status, "open"), ...(scope ? [scope] : []))).get()?.n ?? 0;
  }

  firstAnswerTimes(since: Date, units?: Set<number>): number[] {
    const scope = this.scopeCondition(units);
    return this.db
      .select({ ms: sql<number>`${handoffs.answeredAt} - ${handoffs.createdAt}` })
      .from(handoffs)
      .where(and(isNotNull(handoffs.answeredAt), gte(handoffs.createdAt, since.getTime()), ...(scope ? [scope] : [])))
      .all()
      .map((r) => r.ms);
  }

  webReplies(address: string, afterId: number, limit: number): ThreadMessage[] {
    const rows = this.db
      .select({ m: handoffMessages })
      .from(handoffMessages)
      .innerJoin(handoffs, eq(handoffs.id, handoffMessages.handoffId))
      .innerJoin(channelAddresses, and(eq(channelAddresses.userId, handoffs.userId), eq(channelAddresses.channel, "web")))
      .where(and(eq(channelAddresses.address, address), eq(handoffs.channel, "web"), eq(handoffMessages.direction, "out"), gt(handoffMessages.id, afterId)))
      .orderBy(asc(handoffMessages.id))
      .limit(limit)
      .all();
    const ids = rows.filter((r) => r.m.delivery === "on_page").map((r) => r.m.id);
    // The page has it now: that is this channel's delivery.
    if (ids.length > 0) this.db.update(handoffMessages).set({ delivery: "sent" }).where(inArray(handoffMessages.id, ids)).run();
    return rows.map((r) => toMessage(r.m));
  }

  /** Office admins: hand-offs of people who follow one of their units. */
  private scopeCondition(units: Set<number> | undefined): SQL | undefined {
    if (!units) return undefined;
    if (units.size === 0) return sql`FALSE`;
    return sql`EXISTS (SELECT 1 FROM ${userUnits} WHERE ${userUnits.userId} = ${handoffs.userId} AND ${inArray(userUnits.unitId, [...units])})`;
  }

  private targetOf(handoff: Row): HandoffTarget | "gone" {
    const address = this.db
      .select({ address: channelAddresses.address })
      .from(channelAddresses)
      .where(and(eq(channelAddresses.userId, handoff.userId), eq(channelAddresses.channel, handoff.channel as Channel), ne(channelAddresses.address, "")))
      .get();
    return address
      ? { handoffId: handoff.id, userId: handoff.userId, channel: handoff.channel as Channel, address: address.address, locale: handoff.locale as Locale }
      : "gone";
  }
}

function toRow(r: Row): HandoffRow {
  return {
    id: r.id,
    userId: r.userId,
    channel: r.channel as Channel,
    locale: r.locale as Locale,
    question: r.question,
    transcript: r.transcript,
    status: r.status,
    createdAt: new Date(r.createdAt),
    answeredAt: r.answeredAt === null ? null : new Date(r.answeredAt),
  };
}

function toMessage(r: MessageRow): ThreadMessage {
  return { id: r.id, direction: r.direction, author: r.author, text: r.text, at: new Date(r.at), delivery: r.delivery, deliveredVia: r.deliveredVia };
}
