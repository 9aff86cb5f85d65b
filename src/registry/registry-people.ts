import QRCode from "qrcode";
import { completeOrder } from "../reach/reach-order.js";
import type { Actor } from "../access/actor.js";
import { AuditLog } from "../access/audit-log.js";
import { AccessScopes, assertCanWrite } from "../access/scopes.js";
import type { Db } from "../db/database.js";
import { SqliteUnitTree } from "../db/unit-tree.js";
import { fold } from "../nlu/normalize.js";
import { LinkError, type Linking } from "./linking.js";
import { PERSON_ROLES, type PersonRole } from "./people-import.js";
import { SqlitePeopleStore, type PersonRow } from "./people-store.js";

export interface PersonView {
  ref: string;
  name: string;
  role: PersonRole;
  unit: { code: string; name: string };
  hasPhone: boolean;
  hasEmail: boolean;
  linked: boolean;
  /** chat channels the linked person is reached on */
  channels: string[];
  /** channels the person's reminders may not use (turned off in the chat's /settings or here) */
  reachOff: string[];
  /** the person's own order of the channels (the chat's /settings order, or here); [] for the default */
  reachOrder: string[];
}

/** The channels of the delivery ladder a person can turn off, in the ladder's order. */
export const REACH_CHANNELS = ["zalo", "telegram", "zns", "email"] as const;
export type ReachChannel = (typeof REACH_CHANNELS)[number];

/** A request naming a channel that is not one of REACH_CHANNELS. */
export class ReachChannelError extends Error {}

export interface PeopleQuery {
  q?: string | undefined;
  unit?: string | undefined;
  role?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export const PEOPLE_PAGE_MAX = 200;

export interface LetterPerson {
  ref: string;
  name: string;
  role: PersonRole;
  code: string;
  expiresAt: string;
  telegramLink?: string;
  zaloLink?: string;
  /** an SVG QR code of the Telegram deep link (else of the Zalo link) */
  qrSvg?: string;
}

export interface LinkLetter {
  unit: { code: string; name: string };
  people: LetterPerson[];
  /** people of the unit already linked in a chat: no code is issued for them */
  alreadyLinked: { ref: string; name: string; role: PersonRole }[];
}

export interface LinkTargets {
  botUsername: () => string | undefined;
  zaloOaUrl?: string | undefined;
}

/** An SVG QR code of a link, as the link letter prints it. */
export function qrSvg(link: string): Promise<string> {
  return QRCode.toString(link, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
}

/**
 * The people register for the console: a scoped, searchable list (contact details only as present or absent),
 * and the link letter of a school, which issues a one-time code for each person of it not yet linked.
 */
export class RegistryPeople {
  private readonly store: SqlitePeopleStore;
  private readonly scopes: AccessScopes;
  private readonly audit: AuditLog;

  constructor(
    db: Db,
    private readonly linking: Linking,
    private readonly targets: LinkTargets,
  ) {
    this.store = new SqlitePeopleStore(db);
    this.audit = new AuditLog(db);
    this.scopes = new AccessScopes(new SqliteUnitTree(db));
  }

  list(actor: Actor, query: PeopleQuery): { people: PersonView[]; total: number; limit: number; offset: number } {
    const scope = this.scopes.unitScope(actor);
    const words = fold(query.q ?? "").split(" ").filter(Boolean);
    const needle = (query.q ?? "").trim().toLowerCase();
    const role = PERSON_ROLES.find((r) => r === query.role);
    const matching = this.store
      .all()
      .filter((p) => !scope || scope.has(p.unitId))
      .filter((p) => !query.unit || p.unitCode === query.unit)
      .filter((p) => !role || p.role === role)
      .filter((p) => words.length === 0 || p.ref.toLowerCase() === needle || words.every((w) => fold(p.name).includes(w)))
      .sort((a, b) => a.unitName.localeCompare(b.unitName, "vi") || a.name.localeCompare(b.name, "vi") || a.ref.localeCompare(b.ref));
    const limit = Math.min(PEOPLE_PAGE_MAX, Math.max(1, Math.trunc(query.limit ?? 50)));
    const offset = Math.max(0, Math.trunc(query.offset ?? 0));
    const page = matching.slice(offset, offset + limit);
    const channels = this.store.channelsOf(page.flatMap((p) => (p.userId === null ? [] : [p.userId])));
    return { people: page.map((p) => viewOf(p, channels)), total: matching.length, limit, offset };
  }

  /**
   * Which channels a person's reminders may not use: the same setting as the chat's /settings. Writers only, in
   * their units (outside them the person is not found); audited with the before and after.
   */
  setReach(
    actor: Actor,
    ref: string,
    off: readonly string[],
    now: Date,
    order?: readonly string[],
  ): { ref: string; reachOff: string[]; reachOrder: string[] } {
    assertCanWrite(actor);
    const person = this.scopes.assertInScope(actor, this.store.reachOf(ref), (p) => p.unitId, () => new LinkError(`no person with ref "${ref}"`));
    for (const [field, list] of [["off", off], ["order", order ?? []]] as const) {
      const unknown = list.filter((c) => !(REACH_CHANNELS as readonly string[]).includes(c));
      if (unknown.length > 0) throw new ReachChannelError(`${field}: unknown channel ${unknown.join(", ")}; one of ${REACH_CHANNELS.join(", ")}`);
    }
    const after = REACH_CHANNELS.filter((c) => off.includes(c));
    // An order is complete once stored (the channels not named follow in the default order); [] is the default.
    const orderAfter = order === undefined ? person.reachOrder : completeOrder(order);
    this.store.setReachOff(
      person.id,
      after,
      now,
      (tx) =>
        this.audit.record(
          {
            actor,
            action: "person.reach",
            target: `person:${ref}`,
            detail: { before: person.reachOff, after, ...(order !== undefined ? { orderBefore: person.reachOrder, orderAfter } : {}) },
            at: now,
          },
          tx,
        ),
      orderAfter,
    );
    return { ref, reachOff: [...after], reachOrder: orderAfter };
  }

  /**
   * Issues a code (audited, as each link code is) for every person of the unit not linked yet, or only its IT
   * leads, with the deep links and their QR code. A unit outside the actor's reach is not found.
   */
  async linkLetter(actor: Actor, unitCode: string, options: { itLeadsOnly: boolean }, now: Date): Promise<LinkLetter> {
    assertCanWrite(actor);
    const found = this.store.unitByCode(unitCode);
    const { id, code, name } = this.scopes.assertInScope(actor, found, (u) => u.id, () => new LinkError(`no unit with code "${unitCode}"`));
    const members = this.store
      .all()
      .filter((p) => p.unitId === id && (!options.itLeadsOnly || p.role === "it_lead"))
      .sort((a, b) => PERSON_ROLES.indexOf(a.role) - PERSON_ROLES.indexOf(b.role) || a.name.localeCompare(b.name, "vi"));
    const bot = this.targets.botUsername();
    const zaloLink = this.targets.zaloOaUrl;
    const letter: LinkLetter = { unit: { code, name }, people: [], alreadyLinked: [] };
    for (const p of members) {
      if (p.userId !== null) {
        letter.alreadyLinked.push({ ref: p.ref, name: p.name, role: p.role });
        continue;
      }
      const issued = this.linking.issueFor(actor, p.ref, now);
      const telegramLink = bot ? `https://t.me/${bot}?start=${issued.code}` : undefined;
      const qrTarget = telegramLink ?? zaloLink;
      letter.people.push({
        ref: p.ref,
        name: p.name,
        role: p.role,
        code: issued.code,
        expiresAt: issued.expiresAt.toISOString(),
        ...(telegramLink ? { telegramLink } : {}),
        ...(zaloLink ? { zaloLink } : {}),
        ...(qrTarget ? { qrSvg: await qrSvg(qrTarget) } : {}),
      });
    }
    return letter;
  }
}

function viewOf(p: PersonRow, channels: Map<number, Set<string>>): PersonView {
  return {
    ref: p.ref,
    name: p.name,
    role: p.role,
    unit: { code: p.unitCode, name: p.unitName },
    hasPhone: p.hasPhone,
    hasEmail: p.hasEmail,
    linked: p.userId !== null,
    channels: p.userId === null ? [] : [...(channels.get(p.userId) ?? [])].sort(),
    reachOff: p.reachOff,
    reachOrder: p.reachOrder,
  };
}
