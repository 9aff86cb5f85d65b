import { createHmac, timingSafeEqual } from "node:crypto";

/** Bytes of the HMAC kept in a link: 128 bits, beyond guessing. */
const MAC_BYTES = 16;

/**
 * One-click unsubscribe links for e-mail: `<address, base64url>.<HMAC-SHA256 of it with a server secret>`.
 * The address rides in the token so no table of links is needed; the MAC means nobody can unsubscribe an
 * address they did not receive mail at. The secret is derived from DATA_ENCRYPTION_KEY for this one purpose.
 */
export class UnsubscribeTokens {
  private readonly secret: Buffer;

  constructor(key: Buffer) {
    this.secret = createHmac("sha256", key).update("email-unsubscribe-v1").digest();
  }

  tokenFor(address: string): string {
    const normal = address.trim().toLowerCase();
    return `${Buffer.from(normal, "utf8").toString("base64url")}.${this.mac(normal).toString("base64url")}`;
  }

  /** The address a token was made for, or undefined when the token is not one of ours. */
  addressOf(token: string): string | undefined {
    const match = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{22})$/.exec(token);
    if (!match) return undefined;
    const address = Buffer.from(match[1] ?? "", "base64url").toString("utf8");
    const given = Buffer.from(match[2] ?? "", "base64url");
    const expected = this.mac(address);
    return given.length === expected.length && timingSafeEqual(given, expected) ? address : undefined;
  }

  private mac(address: string): Buffer {
    return createHmac("sha256", this.secret).update(address).digest().subarray(0, MAC_BYTES);
  }
}
