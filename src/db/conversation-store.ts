import { and, desc, eq, lt, lte, ne, sql } from "drizzle-orm";
import type { ConversationStore, HandoffRequest, LoggedMessage, UserRecord } from "../core/ports.js";
import type { Channel, Locale } from "../core/types.js";
import { checkpointWal, type Db } from "./database.js";
import { forgetAuditActor } from "../access/audit-log.js";
import { adminTokens, channelAddresses, conversationLog, handoffMessages, handoffs, linkFailures, unanswered, unansweredAskers, users } from "./schema.js";

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

  appendToOpenHandoff(userId: number, channel: Channel, text: string, at: Date): void {
    this.db.transaction((tx) => {
      const open = tx
        .select({ id: handoffs.id, status: handoffs.status })
        .from(handoffs)
        .where(and(eq(handoffs.userId, userId), eq(handoffs.channel, channel), ne(handoffs.status, "closed")))
        .orderBy(desc(handoffs.id))
        .get();
      if (!open) return;
      tx.insert(handoffMessages).values({ handoffId: open.id, direction: "in", author: "person", text, at: at.getTime() }).run();
      if (open.status === "answered") tx.update(handoffs).set({ status: "open" }).where(eq(handoffs.id, open.id)).run();
    });
  }

  forgetAddress(userId: number, channel: Channel, address: string, at: Date, normalize: (text: string) => string): "user" | "chat" {
    const scope = this.db.transaction((tx) => {
      const others = tx
        .select({ channel: channelAddresses.channel, address: channelAddresses.address })
        .from(channelAddresses)
        .where(eq(channelAddresses.userId, userId))
        .all()
        .filter((a) => a.channel !== channel || a.address !== address);
      if (others.length === 0) {
        eraseUser(tx, userId, at, normalize);
        return "user" as const;
      }
      // Log lines and hand-offs are kept per user and channel: this channel's go with this chat.
      takeBackUnanswered(tx, userId, channel, normalize);
      tx.delete(conversationLog).where(and(eq(conversationLog.userId, userId), eq(conversationLog.channel, channel))).run();
      tx.delete(handoffs).where(and(eq(handoffs.userId, userId), eq(handoffs.channel, channel))).run();
      scrubAddress(tx, channel, address, at);
      tx.delete(channelAddresses).where(and(eq(channelAddresses.channel, channel), eq(channelAddresses.address, address))).run();
      return "chat" as const;
    });
    checkpointWal(this.db);
    return scope;
  }

  forgetUser(userId: number, at?: Date, normalize?: (text: string) => string): void {
    this.db.transaction((tx) => eraseUser(tx, userId, at, normalize));
    checkpointWal(this.db);
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

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** The user and everything that names them or one of their chats. */
function eraseUser(tx: Tx, userId: number, at: Date | undefined, normalize: ((text: string) => string) | undefined): void {
  if (normalize) takeBackUnanswered(tx, userId, undefined, normalize);
  const addresses = tx.select().from(channelAddresses).where(eq(channelAddresses.userId, userId)).all();
  for (const a of addresses) scrubAddress(tx, a.channel, a.address, at);
  tx.run(sql`UPDATE outbox SET ${forgottenOutbox(at)} WHERE user_id = ${userId}`);
  // Addresses, logs, hand-offs and follows go with the user (ON DELETE CASCADE); the staff link is unset.
  tx.delete(users).where(eq(users.id, userId)).run();
}

/**
 * Removes a chat id from the tables that keep it outside channel_addresses. Delivery records stay for the
 * broadcast's counts, without the address; what was still waiting to go to it is cancelled.
 */
function scrubAddress(tx: Tx, channel: string, address: string, at: Date | undefined): void {
  tx.run(sql`
    UPDATE delivery_attempts SET description = NULL
    WHERE outbox_id IN (SELECT id FROM outbox WHERE channel = ${channel} AND address = ${address})`);
  tx.run(sql`UPDATE outbox SET ${forgottenOutbox(at)} WHERE channel = ${channel} AND address = ${address}`);
  tx.delete(linkFailures).where(and(eq(linkFailures.channel, channel), eq(linkFailures.address, address))).run();
  forgetAuditActor(tx, channel, address);
  tx.update(adminTokens)
    .set({ chatChannel: null, chatAddress: null })
    .where(and(eq(adminTokens.chatChannel, channel), eq(adminTokens.chatAddress, address)))
    .run();
  // Handled inbound events keep only their de-duplication key; follow/unfollow keys carry the Zalo user id.
  // A pending event of this chat (the /forget being handled) is cleared by the queue when it is done.
  tx.run(sql`DELETE FROM inbound_events WHERE channel = ${channel} AND state <> 'pending'
    AND (sender = ${address} OR replace(dedupe_key, ${address}, '') <> dedupe_key)`);
}

function forgottenOutbox(at: Date | undefined) {
  const waiting = sql`status IN ('queued', 'sending')`;
  return sql`address = '', user_id = NULL, dedupe_key = 'forgotten:' || id,
    reason = CASE WHEN ${waiting} THEN 'forgotten' ELSE reason END,
    done_at = CASE WHEN ${waiting} THEN CAST(${at?.getTime() ?? null} AS BIGINT) ELSE done_at END,
    status = CASE WHEN ${waiting} THEN 'cancelled' ELSE status END`;
}

/**
 * Takes the person's questions back from the anonymous list of unanswered questions (each counts the
 * distinct people who asked). Forgetting one of several chats keeps the person, who still counts once.
 */
function takeBackUnanswered(tx: Tx, userId: number, channel: string | undefined, _normalize: (text: string) => string): void {
  if (channel !== undefined) return;
  const asked = tx.select({ id: unansweredAskers.unansweredId }).from(unansweredAskers).where(eq(unansweredAskers.userId, userId)).all();
  for (const { id } of asked) tx.update(unanswered).set({ count: sql`${unanswered.count} - 1` }).where(eq(unanswered.id, id)).run();
  if (asked.length > 0) tx.delete(unanswered).where(lte(unanswered.count, 0)).run();
}
