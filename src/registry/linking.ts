import { createHash, randomInt } from "node:crypto";
import { and, eq, isNotNull, isNull, lt, ne, not, sql, type SQL } from "drizzle-orm";
import type { Actor } from "../access/actor.js";
import { AuditLog, type Tx } from "../access/audit-log.js";
import { AccessScopes, assertCanWrite } from "../access/scopes.js";
import type { LinkingPort } from "../core/ports.js";
import type { Channel } from "../core/types.js";
import type { Db } from "../db/database.js";
import { channelAddresses, linkCodes, linkFailures, people, units, userUnits, users } from "../db/schema.js";
import { SqliteUnitTree } from "../db/unit-tree.js";

/** 8 characters from A-Z and 2-9 without look-alikes (no O/0, I/1/L). */
export const LINK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const LINK_CODE_LENGTH = 8;
const VALID_DAYS = 7;
/** A code asked for from a linked chat, to add another chat: short-lived, it is typed straight away. */
const JOIN_VALID_MINUTES = 15;

/**
 * Bounds on wrong codes (unknown, used or expired), each over a fixed window. A chat's own bound alone is not
 * enough: a web chat address is whatever the client says, so many chats together are bounded per channel, and
 * all channels together globally. With the global bound, guessing one of the live codes (31^8 ≈ 8.5e11
 * possible) stays hopeless: 200 a hour is under 34,000 guesses in a code's 7 days.
 */
export const GUESS_LIMITS = {
  chat: { max: 5, windowMs: 15 * 60_000 },
  channel: { max: 100, windowMs: 60 * 60_000 },
  global: { max: 200, windowMs: 60 * 60_000 },
} as const;
const ALL = "*";

export type LinkOutcome =
  | { ok: true; joined: boolean; person: { name: string; role: string }; unit: { code: string; name: string } }
  | {
      ok: false;
      /** rate_limited: this chat guessed wrong too often; busy: too many wrong codes from everyone lately */
      reason: "unknown" | "expired" | "used" | "rate_limited" | "busy" | "linked_elsewhere";
      retryAfterMinutes?: number;
    };

export type UnlinkOutcome = { name: string; onlyThisChat: boolean };

export class LinkError extends Error {
  override name = "LinkError";
}

function newCode(): string {
  let code = "";
  for (let i = 0; i < LINK_CODE_LENGTH; i++) code += LINK_ALPHABET[randomInt(LINK_ALPHABET.length)];
  return code;
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
  private readonly audit: AuditLog;
  private readonly scopes: AccessScopes;

  constructor(private readonly db: Db) {
    this.audit = new AuditLog(db);
    this.scopes = new AccessScopes(new SqliteUnitTree(db));
  }

  /** `issue` for a staff actor: only writers, only for people in units the actor reaches. */
  issueFor(actor: Actor, ref: string, now: Date): ReturnType<Linking["issue"]> {
    this.assertReaches(actor, ref);
    return this.issue(ref, actor, now);
  }

  /** `release` for a staff actor: only writers, only for people in units the actor reaches. */
  releaseFor(actor: Actor, ref: string, now: Date): boolean {
    this.assertReaches(actor, ref);
    return this.release(ref, actor, now);
  }

  /** Someone outside an office admin's units gets the same LinkError as no one, so refs elsewhere stay unknown. */
  private assertReaches(actor: Actor, ref: string): void {
    assertCanWrite(actor);
    const person = this.db.select({ unitId: people.unitId }).from(people).where(eq(people.ref, ref)).get();
    this.scopes.assertInScope(actor, person, (p) => p.unitId, () => new LinkError(`no person with ref "${ref}"`));
  }

  /** A new single-use code for a person (older unused codes of that person stop working). */
  issue(ref: string, actor: Actor | string, now: Date): { code: string; expiresAt: Date; person: { name: string; linked: boolean } } {
    const person = this.db.select().from(people).where(eq(people.ref, ref.trim())).get();
    if (!person) throw new LinkError(`no person with ref "${ref}"`);
    const code = newCode();
    const expiresAt = new Date(now.getTime() + VALID_DAYS * 86_400_000);
    this.db.transaction((tx) => {
      tx.update(linkCodes)
        .set({ usedAt: now.getTime() })
        .where(and(eq(linkCodes.personId, person.id), sql`${linkCodes.usedAt} IS NULL`))
        .run();
      tx.insert(linkCodes)
        .values({ codeHash: hashCode(code), personId: person.id, expiresAt: expiresAt.getTime(), createdBy: typeof actor === "string" ? actor : actor.label, createdAt: now.getTime() })
        .run();
      this.audit.record({ actor, action: "link_code.issue", target: `person:${person.ref}`, at: now }, tx);
    });
    return { code, expiresAt, person: { name: person.name, linked: person.userId !== null } };
  }

  /**
   * A code that adds another chat to the person linked to this user; only a linked chat can ask for one, so a
   * second chat joins a person's account only with the consent of a chat already linked. Undefined if not linked.
   */
  issueJoin(userId: number, now: Date): { code: string; validMinutes: number } | undefined {
    const person = this.db.select().from(people).where(eq(people.userId, userId)).get();
    if (!person) return undefined;
    const code = newCode();
    this.db.transaction((tx) => {
      tx.update(linkCodes)
        .set({ usedAt: now.getTime() })
        .where(and(eq(linkCodes.personId, person.id), eq(linkCodes.joinUserId, userId), isNull(linkCodes.usedAt)))
        .run();
      tx.insert(linkCodes)
        .values({
          codeHash: hashCode(code),
          personId: person.id,
          joinUserId: userId,
          expiresAt: now.getTime() + JOIN_VALID_MINUTES * 60_000,
          createdBy: `user:${userId}`,
          createdAt: now.getTime(),
        })
        .run();
      this.audit.record({ actor: `user:${userId}`, action: "link_code.join", target: `person:${person.ref}`, at: now }, tx);
    });
    return { code, validMinutes: JOIN_VALID_MINUTES };
  }

  /**
   * Binds the chat to the person the code was issued for. A staff-issued code for a person already linked in
   * another chat is refused (that chat must hand out a join code, or staff release the old link), so a second
   * chat never takes over the first one's account.
   */
  redeem(rawCode: string, channel: Channel, address: string, userId: number, now: Date): LinkOutcome {
    return this.db.transaction(
      (tx) => {
        const limited = this.rateLimited(tx, channel, address, now);
        if (limited) return { ok: false, ...limited };
        const row = tx.select().from(linkCodes).where(eq(linkCodes.codeHash, hashCode(normalizeCode(rawCode)))).get();
        const failed = (reason: "unknown" | "used" | "expired"): LinkOutcome => {
          this.countFailure(tx, channel, address, now);
          return { ok: false, reason };
        };
        if (!row) return failed("unknown");
        if (row.usedAt !== null) return failed("used");
        if (row.expiresAt < now.getTime()) return failed("expired");
        const person = tx.select().from(people).where(eq(people.id, row.personId)).get();
        const unit = person ? tx.select().from(units).where(eq(units.id, person.unitId)).get() : undefined;
        if (!person || !unit) return failed("unknown");
        // A join code works only while the chat that asked for it is still linked to the person.
        if (row.joinUserId !== null && person.userId !== row.joinUserId) return failed("expired");

        let target = userId;
        let joined = false;
        if (row.joinUserId !== null && row.joinUserId !== userId) {
          // This chat (only this address, not the rest of its user) becomes another address of the linked user.
          target = row.joinUserId;
          joined = true;
          tx.update(channelAddresses)
            .set({ userId: target })
            .where(and(eq(channelAddresses.channel, channel), eq(channelAddresses.address, address)))
            .run();
          const left = tx.select({ id: channelAddresses.id }).from(channelAddresses).where(eq(channelAddresses.userId, userId)).get();
          if (!left) {
            tx.update(people).set({ userId: null, linkedAt: null }).where(eq(people.userId, userId)).run();
            tx.delete(users).where(eq(users.id, userId)).run();
          }
        } else if (person.userId !== null && person.userId !== userId) {
          return { ok: false, reason: "linked_elsewhere" } as LinkOutcome;
        } else {
          tx.update(people).set({ userId: null }).where(and(eq(people.userId, userId), ne(people.id, person.id))).run();
        }
        if (!joined) tx.update(people).set({ userId: target, linkedAt: now.getTime() }).where(eq(people.id, person.id)).run();
        tx.update(linkCodes).set({ usedAt: now.getTime() }).where(eq(linkCodes.id, row.id)).run();
        tx.update(users).set({ role: person.role, subscribed: true }).where(eq(users.id, target)).run();
        tx.insert(userUnits).values({ userId: target, unitId: unit.id, createdAt: now.getTime() }).onConflictDoNothing().run();
        tx.delete(linkFailures).where(and(eq(linkFailures.channel, channel), eq(linkFailures.address, address))).run();
        this.audit.record({ actor: `${channel}:${address}`, action: joined ? "link.join" : "link.redeem", target: `person:${person.ref}`, at: now }, tx);
        return { ok: true, joined, person: { name: person.name, role: person.role }, unit: { code: unit.code, name: unit.name } } as LinkOutcome;
      },
      { behavior: "immediate" },
    );
  }

  /**
   * /unlink from one chat. When the user has other chats, only this one leaves: it becomes a user of its own
   * and the others stay linked. From the only chat, the person is unlinked.
   */
  unlink(userId: number, channel: Channel, address: string, now: Date): UnlinkOutcome | undefined {
    const person = this.db.select().from(people).where(eq(people.userId, userId)).get();
    if (!person) return undefined;
    const others = this.db
      .select({ id: channelAddresses.id })
      .from(channelAddresses)
      .where(and(eq(channelAddresses.userId, userId), not(and(eq(channelAddresses.channel, channel), eq(channelAddresses.address, address)) as SQL)))
      .get();
    this.db.transaction((tx) => {
      if (others) {
        const user = tx.select().from(users).where(eq(users.id, userId)).get();
        const own = tx
          .insert(users)
          .values({
            locale: user?.locale ?? null,
            localeChosen: user?.localeChosen ?? false,
            subscribed: user?.subscribed ?? false,
            subscribedAt: user?.subscribedAt ?? null,
            createdAt: now.getTime(),
            lastSeenAt: now.getTime(),
          })
          .returning({ id: users.id })
          .get();
        tx.update(channelAddresses)
          .set({ userId: own.id })
          .where(and(eq(channelAddresses.channel, channel), eq(channelAddresses.address, address)))
          .run();
      } else {
        this.detachPerson(tx, person, userId);
      }
      this.audit.record({ actor: `${channel}:${address}`, action: others ? "link.unlink_chat" : "link.unlink", target: `person:${person.ref}`, at: now }, tx);
    });
    return { name: person.name, onlyThisChat: Boolean(others) };
  }

  /** Staff release a person's link (a chat lost, or someone else's): every chat of it stops getting reminders. */
  release(ref: string, actor: Actor | string, now: Date): boolean {
    const person = this.db.select().from(people).where(eq(people.ref, ref)).get();
    if (!person || person.userId === null) return false;
    const userId = person.userId;
    this.db.transaction((tx) => {
      this.detachPerson(tx, person, userId);
      tx.update(linkCodes).set({ usedAt: now.getTime() }).where(and(eq(linkCodes.personId, person.id), isNotNull(linkCodes.joinUserId), isNull(linkCodes.usedAt))).run();
      this.audit.record({ actor, action: "link.release", target: `person:${person.ref}`, at: now }, tx);
    });
    return true;
  }

  private detachPerson(tx: Tx, person: { id: number; unitId: number }, userId: number): void {
    tx.update(people).set({ userId: null, linkedAt: null }).where(eq(people.id, person.id)).run();
    tx.update(users).set({ role: "subscriber" }).where(eq(users.id, userId)).run();
    tx.delete(userUnits).where(and(eq(userUnits.userId, userId), eq(userUnits.unitId, person.unitId))).run();
  }

  /** Whether guessing is paused for this chat, or for everyone; with the minutes to wait. */
  private rateLimited(tx: Tx, channel: Channel, address: string, now: Date): { reason: "rate_limited" | "busy"; retryAfterMinutes: number } | undefined {
    const wait = (key: readonly [string, string], limit: { max: number; windowMs: number }): number | undefined => {
      const row = tx
        .select()
        .from(linkFailures)
        .where(and(eq(linkFailures.channel, key[0]), eq(linkFailures.address, key[1])))
        .get();
      if (!row || row.count < limit.max) return undefined;
      const endsAt = row.windowStartedAt + limit.windowMs;
      return endsAt <= now.getTime() ? undefined : Math.ceil((endsAt - now.getTime()) / 60_000);
    };
    const own = wait([channel, address], GUESS_LIMITS.chat);
    if (own) return { reason: "rate_limited", retryAfterMinutes: own };
    const all = Math.max(wait([channel, ALL], GUESS_LIMITS.channel) ?? 0, wait([ALL, ALL], GUESS_LIMITS.global) ?? 0);
    return all > 0 ? { reason: "busy", retryAfterMinutes: all } : undefined;
  }

  private countFailure(tx: Tx, channel: Channel, address: string, now: Date): void {
    const keys: [string, string, number][] = [
      [channel, address, GUESS_LIMITS.chat.windowMs],
      [channel, ALL, GUESS_LIMITS.channel.windowMs],
      [ALL, ALL, GUESS_LIMITS.global.windowMs],
    ];
    for (const [ch, addr, windowMs] of keys) {
      const row = tx
        .select()
        .from(linkFailures)
        .where(and(eq(linkFailures.channel, ch), eq(linkFailures.address, addr)))
        .get();
      const fresh = !row || row.windowStartedAt + windowMs <= now.getTime();
      // At most once a global window, forget chats whose windows ended long ago (web addresses are unbounded).
      if (fresh && ch === ALL) tx.delete(linkFailures).where(lt(linkFailures.windowStartedAt, now.getTime() - 86_400_000)).run();
      tx.insert(linkFailures)
        .values({ channel: ch, address: addr, count: 1, windowStartedAt: now.getTime() })
        .onConflictDoUpdate({
          target: [linkFailures.channel, linkFailures.address],
          set: fresh ? { count: 1, windowStartedAt: now.getTime() } : { count: sql`${linkFailures.count} + 1` },
        })
        .run();
    }
  }
}

/** The chat's side of linking (/link, /unlink), as the conversation core's port. */
export function chatLinking(linking: Linking): LinkingPort {
  return {
    looksLikeCode: looksLikeLinkCode,
    link: (code, channel, address, userId, at) => linking.redeem(code, channel, address, userId, at),
    joinCode: (userId, at) => linking.issueJoin(userId, at),
    unlink: (userId, channel, address, at) => linking.unlink(userId, channel, address, at),
  };
}
