import { and, eq, exists, lt, ne, notExists, sql } from "drizzle-orm";
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "./database.js";
import { channelAddresses, people, users } from "./schema.js";

/** The web address kept for a web chat secret: its SHA-256, so a copy of the database gives no one a session. */
export function webAddressOf(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("base64url");
}

/**
 * Web chat identities are issued by the server: a random secret that the browser keeps and sends as `user`.
 * Issuing one creates the anonymous user and its web address; an unknown secret finds nothing, so a client
 * cannot invent identities (nor take someone else's) by choosing `user` values.
 */
export class SqliteWebSessions {
  constructor(private readonly db: Db) {}

  /** A new identity: returns the secret (32 random bytes, base64url), shown to the browser only. */
  issue(at: Date): string {
    const secret = randomBytes(32).toString("base64url");
    const now = at.getTime();
    this.db.transaction((tx) => {
      const userId = tx.insert(users).values({ createdAt: now, lastSeenAt: now }).returning({ id: users.id }).get().id;
      tx.insert(channelAddresses).values({ userId, channel: "web", address: webAddressOf(secret), lastInboundAt: now, createdAt: now }).run();
    });
    return secret;
  }

  /** The web address of an issued secret, or undefined when the server never issued it (or it was forgotten or purged). */
  addressOf(secret: string): string | undefined {
    const address = webAddressOf(secret);
    const row = this.db
      .select({ id: channelAddresses.id })
      .from(channelAddresses)
      .where(and(eq(channelAddresses.channel, "web"), eq(channelAddresses.address, address)))
      .get();
    return row ? address : undefined;
  }

  /**
   * Deletes anonymous web users not seen since `cutoff`, with their addresses, logs and hand-offs (cascade).
   * Anonymous: only web addresses, no registry person linked, no staff role. Returns how many users went.
   */
  purgeIdleAnonymous(cutoff: Date): number {
    const hasAddress = (web: boolean) =>
      this.db
        .select({ one: sql`1` })
        .from(channelAddresses)
        .where(and(eq(channelAddresses.userId, users.id), web ? eq(channelAddresses.channel, "web") : ne(channelAddresses.channel, "web")));
    const linked = this.db.select({ one: sql`1` }).from(people).where(eq(people.userId, users.id));
    return this.db
      .delete(users)
      .where(
        and(
          lt(users.lastSeenAt, cutoff.getTime()),
          eq(users.role, "subscriber"),
          exists(hasAddress(true)),
          notExists(hasAddress(false)),
          notExists(linked),
        ),
      )
      .run().changes;
  }
}
