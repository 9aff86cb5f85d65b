import { createHash, timingSafeEqual } from "node:crypto";

/** Header Zalo signs every webhook request with: `X-ZEvent-Signature: mac=<hex>`. */
export const ZALO_SIGNATURE_HEADER = "x-zevent-signature";

/**
 * Zalo's webhook signature: `sha256(app_id + raw body + timestamp + oa_secret_key)` in lowercase hex.
 * A plain SHA-256 of the concatenation (not an HMAC); the body is the raw bytes as received, never
 * re-serialised JSON; `timestamp` is the body's own `timestamp` field.
 */
export function zaloSignature(appId: string, rawBody: Buffer | string, timestamp: string, oaSecretKey: string): string {
  return createHash("sha256")
    .update(Buffer.from(appId, "utf8"))
    .update(typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody)
    .update(Buffer.from(timestamp, "utf8"))
    .update(Buffer.from(oaSecretKey, "utf8"))
    .digest("hex");
}

/** The header value Zalo would send for this body: `mac=<hex>`. */
export function zaloSignatureHeader(appId: string, rawBody: Buffer | string, timestamp: string, oaSecretKey: string): string {
  return `mac=${zaloSignature(appId, rawBody, timestamp, oaSecretKey)}`;
}

/** The hex digest of a `mac=<hex>` header value, or undefined when the header is missing or malformed. */
export function parseSignatureHeader(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*mac\s*=\s*([0-9a-fA-F]{64})\s*$/.exec(header);
  return m ? (m[1] as string).toLowerCase() : undefined;
}

/**
 * True when `header` (`mac=<hex>`) signs this raw body; the digests are compared in constant time.
 * A missing, malformed or wrong header is false.
 */
export function verifyZaloSignature(
  header: string | undefined,
  appId: string,
  rawBody: Buffer,
  timestamp: string,
  oaSecretKey: string,
): boolean {
  const given = parseSignatureHeader(header);
  if (given === undefined) return false;
  const expected = Buffer.from(zaloSignature(appId, rawBody, timestamp, oaSecretKey), "utf8");
  const actual = Buffer.from(given, "utf8");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
