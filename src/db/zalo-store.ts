import { eq } from "drizzle-orm";
import type { TokenPair, ZaloTokenStore } from "../adapters/zalo/zalo-client.js";
import type { Db } from "./database.js";
import { zaloTokens } from "./schema.js";

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
