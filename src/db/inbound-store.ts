import { and, asc, eq, gt, inArray, lt, sql } from "drizzle-orm";
import type { InboundStore, StoredInboundEvent } from "../core/inbound/inbound-queue.js";
import type { Db } from "./database.js";
import { inboundEvents } from "./schema.js";

/**
 * The inbound queue's rows (`inbound_events`); each call is one small statement. A handled row keeps only
 * its channel and de-duplication key: the message and the sender are cleared (privacy: nothing a person
 * wrote is kept beyond its answer, except in the conversation log under its own rules).
 */
export class SqliteInboundStore implements InboundStore {
  constructor(private readonly db: Db) {}

  add(event: { channel: string; dedupeKey: string; sender: string; payload: string; receivedAt: number }): boolean {
    return this.db.insert(inboundEvents).values(event).onConflictDoNothing().run().changes === 1;
  }

  pendingAfter(afterId: number, limit: number): StoredInboundEvent[] {
    return this.db
      .select({
        id: inboundEvents.id,
        channel: inboundEvents.channel,
        sender: inboundEvents.sender,
        payload: inboundEvents.payload,
        attempts: inboundEvents.attempts,
      })
      .from(inboundEvents)
      .where(and(eq(inboundEvents.state, "pending"), gt(inboundEvents.id, afterId)))
      .orderBy(asc(inboundEvents.id))
      .limit(limit)
      .all();
  }

  begin(id: number): number {
    const row = this.db
      .update(inboundEvents)
      .set({ attempts: sql`${inboundEvents.attempts} + 1` })
      .where(eq(inboundEvents.id, id))
      .returning({ attempts: inboundEvents.attempts })
      .get();
    return row?.attempts ?? Number.POSITIVE_INFINITY;
  }

  done(id: number, at: number): void {
    this.db.update(inboundEvents).set({ state: "done", handledAt: at, lastError: null, payload: "", sender: "" }).where(eq(inboundEvents.id, id)).run();
  }

  failed(id: number, at: number, error: string): void {
    this.db.update(inboundEvents).set({ state: "failed", handledAt: at, lastError: error, payload: "", sender: "" }).where(eq(inboundEvents.id, id)).run();
  }

  purgeHandledBefore(cutoff: number): number {
    return this.db
      .delete(inboundEvents)
      .where(and(inArray(inboundEvents.state, ["done", "failed"]), lt(inboundEvents.handledAt, cutoff)))
      .run().changes;
  }
}
