import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** Prefix of a sealed value; a stored value without it is a clear value from before encryption was on. */
const PREFIX = "enc:v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * 32 bytes given as 64 hex characters or as base64 (`openssl rand -base64 32`); undefined when the text is
 * neither. The key itself is never part of an error message.
 */
export function decodeKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, "hex");
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) return undefined;
  const key = Buffer.from(trimmed, "base64");
  return key.length === 32 ? key : undefined;
}

export class SecretBoxError extends Error {
  override name = "SecretBoxError";
}

/**
 * AES-256-GCM for small secrets kept in the database. `context` (the column a value belongs to) is bound
 * as associated data, so a sealed value copied into another column does not open.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(text: string): SecretBox {
    const key = decodeKey(text);
    if (!key) throw new SecretBoxError("the encryption key must be 32 bytes, as 64 hex characters or base64");
    return new SecretBox(key);
  }

  static isSealed(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
  }

  open(stored: string, context: string): string {
    if (!SecretBox.isSealed(stored)) return stored;
    const raw = Buffer.from(stored.slice(PREFIX.length), "base64");
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError(`the sealed ${context} is truncated`);
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
      throw new SecretBoxError(`the sealed ${context} does not open with this key (was DATA_ENCRYPTION_KEY changed?)`);
    }
  }
}
