import { eq } from "drizzle-orm";
import type { TokenPair, ZaloTokenStore } from "./zalo-client.js";
import { SecretBox } from "../../infra/secret-box.js";
import type { Db } from "../../db/database.js";
import { zaloTokens } from "../../db/schema.js";

const ACCESS = "zalo_tokens.access_token";
const REFRESH = "zalo_tokens.refresh_token";

/**
 * The current Zalo token pair, saved in one statement before the new access token is used. With a SecretBox
 * (DATA_ENCRYPTION_KEY) both tokens are sealed at rest; a clear row from before is read and sealed at once.
 */
export class SqliteZaloTokens implements ZaloTokenStore {
  constructor(
    private readonly db: Db,
    private readonly box?: SecretBox,
  ) {}

  async load(): Promise<TokenPair | undefined> {
    const row = this.db.select().from(zaloTokens).where(eq(zaloTokens.id, 1)).get();
    if (!row) return undefined;
    const sealed = SecretBox.isSealed(row.accessToken) || SecretBox.isSealed(row.refreshToken);
    if (sealed && !this.box) throw new Error("the stored Zalo tokens are encrypted: set DATA_ENCRYPTION_KEY to read them");
    const pair = {
      accessToken: this.box ? this.box.open(row.accessToken, ACCESS) : row.accessToken,
      refreshToken: this.box ? this.box.open(row.refreshToken, REFRESH) : row.refreshToken,
      expiresAt: row.expiresAt,
    };
    if (this.box && !(SecretBox.isSealed(row.accessToken) && SecretBox.isSealed(row.refreshToken))) {
      this.write(pair, row.updatedAt);
    }
    return pair;
  }

  async save(pair: TokenPair): Promise<void> {
    this.write(pair, Date.now());
  }

  private write(pair: TokenPair, updatedAt: number): void {
    const values = {
      accessToken: this.box ? this.box.seal(pair.accessToken, ACCESS) : pair.accessToken,
      refreshToken: this.box ? this.box.seal(pair.refreshToken, REFRESH) : pair.refreshToken,
      expiresAt: pair.expiresAt,
      updatedAt,
    };
    this.db
      .insert(zaloTokens)
      .values({ id: 1, ...values })
      .onConflictDoUpdate({ target: zaloTokens.id, set: values })
      .run();
  }
}
