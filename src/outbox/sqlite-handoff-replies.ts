import { eq, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { handoffReplies } from "../db/schema.js";
import type { HandoffReplyStore, ReplyStep, StoredReply } from "./handoff-replies.js";

export class SqliteHandoffReplies implements HandoffReplyStore {
  constructor(private readonly db: Db) {}

  add(handoffId: number, reply: StoredReply, now: Date): number {
    return this.db
      .insert(handoffReplies)
      .values({ handoffId, ...reply, staffChat: reply.staffChat ?? "", staffMessageId: reply.staffMessageId ?? "", createdAt: now.getTime() })
      .returning({ id: handoffReplies.id })
      .get().id;
  }

  get(id: number): StoredReply | undefined {
    const row = this.db
      .select({ text: handoffReplies.text, staffChat: handoffReplies.staffChat, staffMessageId: handoffReplies.staffMessageId, messageId: handoffReplies.messageId })
      .from(handoffReplies)
      .where(eq(handoffReplies.id, id))
      .get();
    // A console answer has no staff chat message to confirm under.
    return row && { ...row, staffChat: row.staffChat || null, staffMessageId: row.staffMessageId || null };
  }

  route(id: number): ReplyStep[] {
    return this.db.all<ReplyStep>(sql`
      SELECT channel, address, status, reason FROM outbox WHERE cause_type = 'handoff_reply' AND cause_id = ${id} ORDER BY id`);
  }

  remove(id: number): void {
    this.db.delete(handoffReplies).where(eq(handoffReplies.id, id)).run();
  }
}
