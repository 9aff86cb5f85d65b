import { and, eq } from "drizzle-orm";
import type { Channel } from "../core/types.js";
import type { Db } from "./database.js";
import { chatMigrations } from "./schema.js";

/** Where a chat that changed its id now lives; one row per old address. */
export class SqliteChatMigrations {
  constructor(private readonly db: Db) {}

  /** The address a chat has now, following every recorded move (at most a few hops). */
  follow(channel: Channel, address: string): string {
    let current = address;
    for (let hop = 0; hop < 8; hop++) {
      const row = this.db
        .select({ to: chatMigrations.toAddress })
        .from(chatMigrations)
        .where(and(eq(chatMigrations.channel, channel), eq(chatMigrations.fromAddress, current)))
        .get();
      if (!row || row.to === current) return current;
      current = row.to;
    }
    return current;
  }

  record(channel: Channel, from: string, to: string, at: Date): void {
    this.db
      .insert(chatMigrations)
      .values({ channel, fromAddress: from, toAddress: to, migratedAt: at.getTime() })
      .onConflictDoUpdate({ target: [chatMigrations.channel, chatMigrations.fromAddress], set: { toAddress: to, migratedAt: at.getTime() } })
      .run();
  }
}
