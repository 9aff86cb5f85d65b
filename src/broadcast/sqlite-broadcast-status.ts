import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { broadcasts } from "../db/schema.js";
import type { BroadcastStatus, BroadcastStatusStore, TransitionStamp } from "./broadcast-lifecycle.js";

export class SqliteBroadcastStatus implements BroadcastStatusStore {
  constructor(private readonly db: Db) {}

  transition(id: number, from: BroadcastStatus[], to: BroadcastStatus, stamp: TransitionStamp): boolean {
    return (
      this.db
        .update(broadcasts)
        .set({ status: to, ...stamp })
        .where(and(eq(broadcasts.id, id), inArray(broadcasts.status, from)))
        .run().changes > 0
    );
  }

  sending(): number[] {
    return this.db.select({ id: broadcasts.id }).from(broadcasts).where(eq(broadcasts.status, "sending")).all().map((r) => r.id);
  }
}
