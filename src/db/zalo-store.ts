import { eq, lt } from "drizzle-orm";
import type { TokenPair, ZaloTokenStore } from "../adapters/zalo/zalo-client.js";
import type { SeenMessages } from "../adapters/zalo/zalo-webhook.js";
import type { Db } from "./database.js";
import { seenEvents, zaloTokens } from "./schema.js";

/** The current Zalo token pair, saved in one statement before the new access token is used. */
export class SqliteZaloTokens implements ZaloTokenStore {
  constructor(private readonly db: Db) {}

  async load(): Promise<TokenPair | undefined> {
    const row = this.db.select().from(zaloTokens).where(eq(zaloTokens.id, 1)).get();
    return row ? { accessToken: row.accessToken, refreshToken: row.refreshToken, expiresAt: row.expiresAt } : undefined;
  }

  async save(pair: TokenPair): Promise<void> {
    const values = { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: pair.expiresAt, updatedAt: Date.now() };
    this.db
      .insert(zaloTokens)
      .values({ id: 1, ...values })
      .onConflictDoUpdate({ target: zaloTokens.id, set: values })
      .run();
  }
}

/** Event keys seen in the last day; survives restarts, unlike an in-memory set. */
export class SqliteSeenMessages implements SeenMessages {
  private calls = 0;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {}

  firstSeen(key: string): boolean {
    const at = this.now().getTime();
    if (++this.calls % 500 === 0) this.db.delete(seenEvents).where(lt(seenEvents.seenAt, at - 86_400_000)).run();
    return this.db.insert(seenEvents).values({ key, seenAt: at }).onConflictDoNothing().run().changes === 1;
  }
}
