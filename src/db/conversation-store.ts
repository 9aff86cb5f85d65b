import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { ConversationStore, HandoffRequest, LoggedMessage, UserRecord } from "../core/ports.js";
import type { Channel, Locale } from "../core/types.js";
import type { Db } from "./database.js";
import { channelAddresses, conversationLog, handoffs, unanswered, unansweredAskers, users } from "./schema.js";

/** SQLite implementation of the core's ConversationStore port. */
export class SqliteConversationStore implements ConversationStore {
  constructor(private readonly db: Db) {}

  touchUser(channel: Channel, address: string, at: Date): UserRecord {
    const now = at.getTime();
    return this.db.transaction((tx) => {
      const found = tx
        .select({ userId: channelAddresses.userId })
        .from(channelAddresses)
        .where(and(eq(channelAddresses.channel, channel), eq(channelAddresses.address, address)))
        .get();
      let userId = found?.userId;
      if (userId === undefined) {
        userId = tx.insert(users).values({ createdAt: now, lastSeenAt: now }).returning({ id: users.id }).get().id;
        tx.insert(channelAddresses).values({ userId, channel, address, lastInboundAt: now, createdAt: now }).run();
      } else {
        tx.update(users).set({ lastSeenAt: now }).where(eq(users.id, userId)).run();
        // Writing to us again means the person is reachable again.
        tx.update(channelAddresses)
          .set({ lastInboundAt: now, unreachableAt: null })
          .where(and(eq(channelAddresses.channel, channel), eq(channelAddresses.address, address)))
          .run();
      }
      const user = tx.select().from(users).where(eq(users.id, userId)).get();
      if (!user) throw new Error(`user ${userId} vanished inside its own transaction`);
      return {
        id: user.id,
        locale: (user.locale as Locale | null) ?? null,
        localeChosen: user.localeChosen,
        subscribed: user.subscribed,
      };
    });
  }

  setLocale(userId: number, locale: Locale, chosen: boolean): void {
    this.db.update(users).set({ locale, localeChosen: chosen }).where(eq(users.id, userId)).run();
  }

  setSubscribed(userId: number, subscribed: boolean, at: Date): void {
    this.db
      .update(users)
      .set({ subscribed, subscribedAt: subscribed ? at.getTime() : null })
      .where(eq(users.id, userId))
      .run();
  }

  logMessage(userId: number, channel: Channel, entry: LoggedMessage): void {
    this.db
      .insert(conversationLog)
      .values({ userId, channel, direction: entry.direction, text: entry.text, intent: entry.intent, at: entry.at.getTime() })
      .run();
  }

  recentMessages(userId: number, limit: number): LoggedMessage[] {
    const rows = this.db
      .select()
      .from(conversationLog)
      .where(eq(conversationLog.userId, userId))
      .orderBy(desc(conversationLog.at), desc(conversationLog.id))
      .limit(limit)
      .all();
    return rows.reverse().map((r) => ({ direction: r.direction, text: r.text, intent: r.intent, at: new Date(r.at) }));
  }

  recordUnanswered(normalizedText: string, locale: Locale, at: Date, userId: number): void {
    if (normalizedText === "") return;
    const now = at.getTime();
    this.db.transaction((tx) => {
      const { id } = tx
        .insert(unanswered)
        .values({ normalizedText: normalizedText.slice(0, 500), locale, count: 0, firstSeenAt: now, lastSeenAt: now })
        .onConflictDoUpdate({ target: unanswered.normalizedText, set: { lastSeenAt: now, locale } })
        .returning({ id: unanswered.id })
        .get();
      // A person asking the same thing again does not make it more frequent.
      const firstTime = tx.insert(unansweredAskers).values({ unansweredId: id, userId, at: now }).onConflictDoNothing().run().changes > 0;
      if (firstTime) tx.update(unanswered).set({ count: sql`${unanswered.count} + 1` }).where(eq(unanswered.id, id)).run();
    });
  }

  createHandoff(request: Omit<HandoffRequest, "id">): number {
    return this.db
      .insert(handoffs)
      .values({
        userId: request.userId,
        channel: request.channel,
        locale: request.locale,
        question: request.question,
        transcript: JSON.stringify(request.recent),
        createdAt: request.at.getTime(),
      })
      .returning({ id: handoffs.id })
      .get().id;
  }

  setHandoffStaffMessage(handoffId: number, staffMessageId: string): void {
    this.db.update(handoffs).set({ staffMessageId }).where(eq(handoffs.id, handoffId)).run();
  }

  /** The person behind a hand-off post in the staff chat, to relay a staff reply; marks it answered. */
  answerHandoff(staffMessageId: string, at: Date): { channel: Channel; address: string; locale: Locale } | "gone" | undefined {
    return this.db.transaction((tx) => {
      const handoff = tx.select().from(handoffs).where(eq(handoffs.staffMessageId, staffMessageId)).get();
      if (!handoff) return undefined;
      const address = tx
        .select({ address: channelAddresses.address })
        .from(channelAddresses)
        .where(and(eq(channelAddresses.userId, handoff.userId), eq(channelAddresses.channel, handoff.channel as Channel)))
        .get();
      tx.update(handoffs).set({ status: "closed", answeredAt: at.getTime() }).where(eq(handoffs.id, handoff.id)).run();
      return address ? { channel: handoff.channel as Channel, address: address.address, locale: handoff.locale as Locale } : "gone";
    });
  }

  forgetUser(userId: number): void {
    // Addresses, logs and hand-offs go with the user (ON DELETE CASCADE).
    this.db.delete(users).where(eq(users.id, userId)).run();
  }

  /** Marks an address unreachable after the platform said so (Telegram 403). */
  markUnreachable(channel: Channel, address: string, at: Date): void {
    this.db
      .update(channelAddresses)
      .set({ unreachableAt: at.getTime() })
      .where(and(eq(channelAddresses.channel, channel), eq(channelAddresses.address, address)))
      .run();
  }

  /** Deletes conversation logs older than the retention period; returns how many rows went. */
  purgeLogsBefore(cutoff: Date): number {
    // Who asked an unanswered question is as personal as the log, so it goes at the same age.
    this.db.delete(unansweredAskers).where(lt(unansweredAskers.at, cutoff.getTime())).run();
    return this.db.delete(conversationLog).where(lt(conversationLog.at, cutoff.getTime())).run().changes;
  }

  /** The unanswered questions asked by the most distinct people first. */
  topUnanswered(limit: number): { text: string; locale: string; count: number; lastSeen: Date }[] {
    return this.db
      .select()
      .from(unanswered)
      .orderBy(desc(unanswered.count), desc(unanswered.lastSeenAt))
      .limit(limit)
      .all()
      .map((r) => ({ text: r.normalizedText, locale: r.locale, count: r.count, lastSeen: new Date(r.lastSeenAt) }));
  }

  isUnreachable(channel: Channel, address: string): boolean {
    const row = this.db
      .select({ unreachableAt: channelAddresses.unreachableAt })
      .from(channelAddresses)
      .where(and(eq(channelAddresses.channel, channel), eq(channelAddresses.address, address)))
      .get();
    return row?.unreachableAt != null;
  }
}
