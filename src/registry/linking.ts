import { createHash, randomInt } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import type { Channel } from "../core/types.js";
import type { Db } from "../db/database.js";
import { auditLog, channelAddresses, linkCodes, linkFailures, people, units, userUnits, users } from "../db/schema.js";

/** 8 characters from A-Z and 2-9 without look-alikes (no O/0, I/1/L). */
export const LINK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const LINK_CODE_LENGTH = 8;
const VALID_DAYS = 7;
/** Wrong codes allowed per chat in a window before it must wait. */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 15 * 60_000;

export type LinkOutcome =
  | { ok: true; person: { name: string; role: string }; unit: { code: string; name: string } }
  | { ok: false; reason: "unknown" | "expired" | "used" | "rate_limited"; retryAfterMinutes?: number };

export class LinkError extends Error {
  override name = "LinkError";
}

function hashCode(code: string): string {
  return createHash("sha256").update(code).digest("hex");
}

/** Upper case, without spaces or dashes people add when typing a code. */
export function normalizeCode(raw: string): string {
  return raw.toUpperCase().replace(/[\s-]/g, "");
}

export function looksLikeLinkCode(raw: string): boolean {
  return new RegExp(`^[${LINK_ALPHABET}]{${LINK_CODE_LENGTH}}$`).test(normalizeCode(raw));
}

export class Linking {
  constructor(private readonly db: Db) {}

  /** A new single-use code for a person (older unused codes of that person stop working). */
  issue(ref: string, actor: string, now: Date): { code: string; expiresAt: Date; person: { name: string } } {
    const person = this.db.select().from(people).where(eq(people.ref, ref.trim())).get();
    if (!person) throw new LinkError(`no person with ref "${ref}"`);
    let code = "";
    for (let i = 0; i < LINK_CODE_LENGTH; i++) code += LINK_ALPHABET[randomInt(LINK_ALPHABET.length)];
    const expiresAt = new Date(now.getTime() + VALID_DAYS * 86_400_000);
    this.db.transaction((tx) => {
      tx.update(linkCodes)
        .set({ usedAt: now.getTime() })
        .where(and(eq(linkCodes.personId, person.id), sql`${linkCodes.usedAt} IS NULL`))
        .run();
      tx.insert(linkCodes)
        .values({ codeHash: hashCode(code), personId: person.id, expiresAt: expiresAt.getTime(), createdBy: actor, createdAt: now.getTime() })
        .run();
      tx.insert(auditLog).values({ actor, action: "link_code.issue", target: `person:${person.ref}`, at: now.getTime() }).run();
    });
    return { code, expiresAt, person: { name: person.name } };
  }

  /** Binds the chat's user to the person the code was issued for. */
  redeem(rawCode: string, channel: Channel, address: string, userId: number, now: Date): LinkOutcome {
    const limited = this.rateLimited(channel, address, now);
    if (limited) return { ok: false, reason: "rate_limited", retryAfterMinutes: limited };
    const code = normalizeCode(rawCode);
    const row = this.db.select().from(linkCodes).where(eq(linkCodes.codeHash, hashCode(code))).get();
    if (!row) {
      this.countFailure(channel, address, now);
      return { ok: false, reason: "unknown" };
    }
    if (row.usedAt !== null) return { ok: false, reason: "used" };
    if (row.expiresAt < now.getTime()) return { ok: false, reason: "expired" };
    return this.db.transaction((tx) => {
      const person = tx.select().from(people).where(eq(people.id, row.personId)).get();
      const unit = person ? tx.select().from(units).where(eq(units.id, person.unitId)).get() : undefined;
      if (!person || !unit) return { ok: false, reason: "unknown" } as LinkOutcome;
      let target = userId;
      if (person.userId !== null && person.userId !== userId) {
        // The person is already linked on another channel: this chat joins that user, so Telegram and
        // Zalo are two addresses of one person (reminders go to the one used last, then the other).
        target = person.userId;
        tx.update(channelAddresses)
          .set({ userId: target })
          .where(and(eq(channelAddresses.channel, channel), eq(channelAddresses.address, address)))
          .run();
        const left = tx.select({ id: channelAddresses.id }).from(channelAddresses).where(eq(channelAddresses.userId, userId)).get();
        if (!left) tx.delete(users).where(eq(users.id, userId)).run();
      } else {
        tx.update(people).set({ userId: null }).where(eq(people.userId, userId)).run();
      }
      tx.update(people).set({ userId: target, linkedAt: now.getTime() }).where(eq(people.id, person.id)).run();
      tx.update(linkCodes).set({ usedAt: now.getTime() }).where(eq(linkCodes.id, row.id)).run();
      tx.update(users).set({ role: person.role, subscribed: true }).where(eq(users.id, target)).run();
      tx.insert(userUnits).values({ userId: target, unitId: unit.id, createdAt: now.getTime() }).onConflictDoNothing().run();
      tx.delete(linkFailures).where(and(eq(linkFailures.channel, channel), eq(linkFailures.address, address))).run();
      tx.insert(auditLog).values({ actor: `${channel}:${address}`, action: "link.redeem", target: `person:${person.ref}`, at: now.getTime() }).run();
      return { ok: true, person: { name: person.name, role: person.role }, unit: { code: unit.code, name: unit.name } } as LinkOutcome;
    });
  }

  unlink(userId: number, now: Date): { name: string } | undefined {
    const person = this.db.select().from(people).where(eq(people.userId, userId)).get();
    if (!person) return undefined;
    this.db.transaction((tx) => {
      tx.update(people).set({ userId: null, linkedAt: null }).where(eq(people.id, person.id)).run();
      tx.update(users).set({ role: "subscriber" }).where(eq(users.id, userId)).run();
      tx.delete(userUnits).where(and(eq(userUnits.userId, userId), eq(userUnits.unitId, person.unitId))).run();
      tx.insert(auditLog).values({ actor: `user:${userId}`, action: "link.unlink", target: `person:${person.ref}`, at: now.getTime() }).run();
    });
    return { name: person.name };
  }

  /** Minutes to wait, when this chat has guessed wrong too often. */
  private rateLimited(channel: Channel, address: string, now: Date): number | undefined {
    const row = this.db
      .select()
      .from(linkFailures)
      .where(and(eq(linkFailures.channel, channel), eq(linkFailures.address, address)))
      .get();
    if (!row || row.count < MAX_FAILURES) return undefined;
    const endsAt = row.windowStartedAt + FAILURE_WINDOW_MS;
    if (endsAt <= now.getTime()) return undefined;
    return Math.ceil((endsAt - now.getTime()) / 60_000);
  }

  private countFailure(channel: Channel, address: string, now: Date): void {
    const row = this.db
      .select()
      .from(linkFailures)
      .where(and(eq(linkFailures.channel, channel), eq(linkFailures.address, address)))
      .get();
    const fresh = !row || row.windowStartedAt + FAILURE_WINDOW_MS <= now.getTime();
    this.db
      .insert(linkFailures)
      .values({ channel, address, count: 1, windowStartedAt: now.getTime() })
      .onConflictDoUpdate({
        target: [linkFailures.channel, linkFailures.address],
        set: fresh ? { count: 1, windowStartedAt: now.getTime() } : { count: sql`${linkFailures.count} + 1` },
      })
      .run();
  }
}
