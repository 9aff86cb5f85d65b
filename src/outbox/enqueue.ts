import type { SQL } from "drizzle-orm";
import type { Channel } from "../core/types.js";
import type { Cause, CauseType } from "./outbox-port.js";

/**
 * Which address(es) of a person a cause's message goes to. Every rule leaves out the web chat (it cannot be
 * pushed to) and addresses marked unreachable, and writes the row in the person's language (their chosen
 * locale, else the default one).
 * - `lastUsed`: the one address the person wrote from last. Reminders and their summaries use it (a staff
 *   member linked on Telegram and Zalo hears once, where they are); when that channel refuses (Zalo's window
 *   closed), the dispatcher falls back with `except: <that channel>` to the next one.
 * - `channel` + `address`: exactly that address (a staff reply goes back where the person asked from).
 */
export type AddressRule = { lastUsed: true; except?: Channel } | { channel: Channel; address: string };

/** Why a matched address of a selection gets no message; counted, never hidden. */
export type SkipReason = "not_subscribed" | "unreachable" | "no_push_channel";

/** One person, one cause: reminders, snoozed reminders, summaries, hand-off replies. */
export interface PersonEnqueue {
  cause: Cause;
  userId: number;
  rule: AddressRule;
  urgent: boolean;
  /** not sent before this moment */
  notBefore: Date;
}

/**
 * Many people, one cause (broadcasts): every address matched by `where`, a condition over
 * `channel_addresses a JOIN users u` (bound parameters only). Announcements are opt-in: unsubscribed, unreachable
 * and web addresses are written as skipped with their reason, so the report counts them.
 */
export interface SelectionEnqueue {
  cause: Cause;
  where: SQL;
  urgent: boolean;
  notBefore: Date;
}

/**
 * Many people, one cause each, all of one type (a planner step's reminders): `recipients` selects `cause_id`
 * and `user_id` (bound parameters only). Each gets the `lastUsed` rule's address in one statement.
 */
export interface ManyPeopleEnqueue {
  causeType: CauseType;
  recipients: SQL;
  urgent: boolean;
  notBefore: Date;
}

/** The storage side of enqueue (SQLite today); the only place rows are written into the outbox. */
export interface EnqueueStore {
  insertForPerson(request: PersonEnqueue, now: Date): number;
  insertLastUsedForMany(request: ManyPeopleEnqueue, now: Date): number;
  insertSelection(request: SelectionEnqueue, now: Date): number;
  insertFirstStep(cause: Cause, userId: number | null, urgent: boolean, notBefore: Date, now: Date): number;
}

/** One row per (cause, channel, address): a retry, a second planner run or a second process writes nothing new. */
export function dedupeKey(cause: Cause, channel: Channel, address: string): string {
  return `${cause.type}:${cause.id}:${channel}:${address}`;
}

/**
 * The one way into the outbox, for every cause. Returns how many rows were written now (0 when the rule found
 * no address, or the row already exists).
 */
export class Enqueue {
  constructor(private readonly store: EnqueueStore) {}

  /** One person; runs inside the caller's transaction when there is one. */
  person(request: PersonEnqueue, now: Date): number {
    return this.store.insertForPerson(request, now);
  }

  /**
   * `person()` with the `lastUsed` rule for many people at once, as one statement (a planner step reaches
   * thousands). People with an order of their own, or no reachable chat, get nothing here: the caller gives
   * them `firstStep()`, as it would after `person()` wrote nothing.
   */
  lastUsedForMany(request: ManyPeopleEnqueue, now: Date): number {
    return this.store.insertLastUsedForMany(request, now);
  }

  /**
   * A registry person's first step of the delivery ladder, for a cause with no row yet: their chat used last,
   * else (no chat, or none reachable) ZNS or e-mail when the cause may use them. Reminders call it after
   * `person()` wrote nothing; it writes nothing when the cause has a row already.
   */
  firstStep(request: Omit<PersonEnqueue, "rule" | "userId"> & { userId: number | null }, now: Date): number {
    return this.store.insertFirstStep(request.cause, request.userId, request.urgent, request.notBefore, now);
  }

  /** The bulk variant: a whole audience written by `INSERT … SELECT` in batches, never loaded into memory. */
  selection(request: SelectionEnqueue, now: Date): number {
    return this.store.insertSelection(request, now);
  }
}
