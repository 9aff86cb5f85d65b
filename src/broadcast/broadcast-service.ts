import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { z } from "zod";
import type { Logger } from "../core/conversation.js";
import { parseMarkdown } from "../core/markdown.js";
import type { Clock } from "../core/ports.js";
import { splitRich, telegramVisibleLength, toPlainText, toTelegramHtml } from "../core/render.js";
import { concatRich } from "../core/rich-text.js";
import { nextAllowed, type QuietHours } from "../core/time/quiet-hours.js";
import { parseZonedIso } from "../core/time/zoned-time.js";
import type { Channel, Locale, OutboundMessage, RichText } from "../core/types.js";
import type { Db } from "../db/database.js";
import { SqliteUnitTree } from "../db/unit-tree.js";
import { broadcasts, units } from "../db/schema.js";
import type { Actor } from "../access/actor.js";
import { AuditLog } from "../access/audit-log.js";
import { AccessScopes, assertCanWrite, ownerUnitOf } from "../access/scopes.js";
import type { Enqueue } from "../outbox/enqueue.js";
import type { ChannelSender } from "../outbox/outbox-port.js";
import type { AudienceCount, DeliveryCounts, SqliteOutbox } from "../outbox/sqlite-outbox-store.js";
import { audienceSchema, type Audience } from "./audience.js";
import { BroadcastLifecycle } from "./broadcast-lifecycle.js";
import { audienceWhere } from "./sqlite-audience-query.js";
import { SqliteBroadcastStatus } from "./sqlite-broadcast-status.js";

/** Each channel's limit on one message, in characters, and how it measures them. */
export const CHANNEL_LIMITS: Record<Exclude<Channel, "web">, { limit: number; measure: (r: RichText) => number }> = {
  telegram: { limit: 4096, measure: telegramVisibleLength },
  zalo: { limit: 2000, measure: (r) => toPlainText(r).length },
};

export const broadcastInput = z
  .object({
    title: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters"),
    text: z
      .object({
        vi: z.string().trim().min(1, "must not be empty").max(20_000, "must be at most 20,000 characters"),
        en: z.string().trim().max(20_000, "must be at most 20,000 characters").optional(),
      })
      .strict(),
    audience: audienceSchema.default({}),
    sendAt: z.string().optional(),
    urgent: z.boolean().default(false),
  })
  .strict();

export type BroadcastInput = z.infer<typeof broadcastInput>;

/** A refusal with the field it is about: the API answers 400 (or 403/404) with it; nothing is written. */
export class BroadcastError extends Error {
  override name = "BroadcastError";
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export interface BroadcastView {
  id: number;
  title: string;
  status: "scheduled" | "sending" | "done" | "cancelled";
  urgent: boolean;
  sendAt: string;
  recipients: number;
  audience: Audience;
  createdBy: string;
  createdAt: string;
  counts: DeliveryCounts;
}

export interface BroadcastServiceDeps {
  db: Db;
  outbox: SqliteOutbox;
  enqueue: Enqueue;
  clock: Clock;
  timeZone: string;
  quietHours: QuietHours | undefined;
  defaultLocale: Locale;
  senders: Partial<Record<Channel, ChannelSender>>;
  logger: Logger;
}

export class BroadcastService {
  private readonly rendered = new Map<number, Record<Locale, RichText>>();
  private readonly audit: AuditLog;
  private readonly scopes: AccessScopes;
  /** the one place a broadcast's status changes */
  readonly lifecycle: BroadcastLifecycle;

  constructor(private readonly deps: BroadcastServiceDeps) {
    this.audit = new AuditLog(deps.db);
    this.scopes = new AccessScopes(new SqliteUnitTree(deps.db));
    this.lifecycle = new BroadcastLifecycle(new SqliteBroadcastStatus(deps.db), deps.outbox);
  }

  /** Validates, checks scope and texts, stores, and plans the outbox rows if it is due now. */
  create(body: unknown, actor: Actor): { id: number; recipients: number; status: BroadcastView["status"] } {
    const input = this.validate(body, actor);
    const now = this.deps.clock.now();
    const requested = input.sendAt ? this.parseSendAt(input.sendAt, now) : now;
    const effective = input.urgent ? requested : nextAllowed(requested, this.deps.quietHours);
    const count = this.countMatched(input.audience);
    const id = this.deps.db.transaction((tx) => {
      const row = tx
        .insert(broadcasts)
        .values({
          title: input.title,
          textVi: input.text.vi,
          textEn: input.text.en || null,
          audience: JSON.stringify(input.audience),
          urgent: input.urgent,
          sendAt: effective.getTime(),
          status: "scheduled",
          recipients: count.total,
          createdBy: actor.label,
          ownerUnitId: ownerUnitOf(actor),
          createdAt: now.getTime(),
        })
        .returning({ id: broadcasts.id })
        .get();
      this.audit.record(
        {
          actor,
          action: "broadcast.create",
          target: `broadcast:${row.id}`,
          detail: { title: input.title, audience: input.audience, sendAt: effective.toISOString(), urgent: input.urgent },
          at: now,
        },
        tx,
      );
      return row.id;
    });
    if (effective.getTime() <= now.getTime()) this.plan(id, now);
    return { id, recipients: count.total, status: this.get(id).status };
  }

  preview(body: unknown, actor: Actor): {
    recipients: AudienceCount;
    sendAt: string;
    rendered: Record<string, Record<Locale, string[]>>;
  } {
    const input = this.validate(body, actor);
    const now = this.deps.clock.now();
    const requested = input.sendAt ? this.parseSendAt(input.sendAt, now) : now;
    const effective = input.urgent ? requested : nextAllowed(requested, this.deps.quietHours);
    const texts = renderTexts(input.title, input.text.vi, input.text.en);
    const rendered: Record<string, Record<Locale, string[]>> = {};
    for (const [channel, { limit, measure }] of Object.entries(CHANNEL_LIMITS)) {
      const render = channel === "telegram" ? toTelegramHtml : toPlainText;
      rendered[channel] = {
        vi: splitRich(texts.vi, limit, measure).map(render),
        en: splitRich(texts.en, limit, measure).map(render),
      };
    }
    rendered.web = { vi: [toPlainText(texts.vi)], en: [toPlainText(texts.en)] };
    return { recipients: this.countMatched(input.audience), sendAt: effective.toISOString(), rendered };
  }

  /** Plans every scheduled broadcast whose time has come and closes finished ones (the cron tick and start-up). */
  planDue(now: Date): number {
    this.lifecycle.closeAllFinished(now);
    const due = this.deps.db
      .select({ id: broadcasts.id })
      .from(broadcasts)
      .where(and(eq(broadcasts.status, "scheduled"), sql`${broadcasts.sendAt} <= ${now.getTime()}`))
      .all();
    for (const { id } of due) this.plan(id, now);
    return due.length;
  }

  private plan(id: number, now: Date): void {
    const row = this.deps.db.select().from(broadcasts).where(eq(broadcasts.id, id)).get();
    if (!row || row.status !== "scheduled") return;
    const audience = audienceSchema.parse(JSON.parse(row.audience));
    // Idempotent: a crash half-way leaves the broadcast "scheduled" and the next tick fills in the rest.
    const cause = { type: "broadcast" as const, id };
    this.deps.enqueue.selection(
      { cause, where: audienceWhere(audience, this.deps.defaultLocale), urgent: row.urgent, notBefore: new Date(row.sendAt) },
      now,
    );
    const planned = { n: this.deps.outbox.countRows(cause) };
    this.lifecycle.planned(id, planned.n, now);
    this.deps.logger.info({ broadcast: id, recipients: planned?.n ?? 0 }, "broadcast planned");
  }

  /**
   * The newest broadcasts the actor may see, `limit` at a time, older than `before` (an id) when given. An office
   * admin's page is filtered in the query, so the Department's many broadcasts never push its own off the page.
   */
  list(actor: Actor, page: { limit?: number; before?: number } = {}): { broadcasts: BroadcastView[]; nextBefore: number | null } {
    const limit = page.limit ?? 50;
    const conditions = [];
    if (page.before !== undefined) conditions.push(lt(broadcasts.id, page.before));
    const owners = this.scopes.unitScope(actor);
    if (owners) conditions.push(owners.size > 0 ? inArray(broadcasts.ownerUnitId, [...owners]) : sql`0`);
    const rows = this.deps.db
      .select()
      .from(broadcasts)
      .where(and(...conditions))
      .orderBy(desc(broadcasts.id))
      .limit(limit + 1)
      .all();
    const shown = rows.slice(0, limit);
    return { broadcasts: shown.map((r) => this.view(r)), nextBefore: rows.length > limit ? (shown[shown.length - 1]?.id ?? null) : null };
  }

  get(id: number, actor?: Actor): BroadcastView {
    const row = this.deps.db.select().from(broadcasts).where(eq(broadcasts.id, id)).get();
    const notFound = () => new BroadcastError(404, "id", `no broadcast ${id}`);
    if (!row) throw notFound();
    // An office admin sees the broadcasts of its office (and offices under it), not the Department's aimed at it.
    return this.view(actor ? this.scopes.assertInScope(actor, row, (r) => r.ownerUnitId, notFound) : row);
  }

  /** How many addresses an audience reaches; an office admin's audience is held to its units, as when sending. */
  countAudience(body: unknown, actor: Actor): AudienceCount {
    const parsed = z.object({ audience: audienceSchema }).strict().safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BroadcastError(400, issue ? formatPath(issue.path) || "body" : "body", issue?.message ?? "invalid");
    }
    const { audience: asked } = parsed.data;
    const audience = this.scopeToOffice(asked, actor);
    this.checkUnits(audience);
    return this.countMatched(audience);
  }

  private countMatched(audience: Audience): AudienceCount {
    return this.deps.outbox.countSelection(audienceWhere(audience, this.deps.defaultLocale));
  }

  cancel(id: number, actor: Actor): BroadcastView {
    const current = this.get(id, actor);
    assertCanWrite(actor);
    if (current.status === "done" || current.status === "cancelled") {
      throw new BroadcastError(409, "status", `broadcast is already ${current.status}`);
    }
    const now = this.deps.clock.now();
    if (this.lifecycle.cancel(id, now)) {
      this.audit.record({ actor, action: "broadcast.cancel", target: `broadcast:${id}`, at: now });
    }
    return this.get(id);
  }

  /** Sends the broadcast to the caller's own linked chat only, straight away, outside the outbox. */
  async testSend(id: number, actor: Actor): Promise<{ channel: Channel; address: string; providerMessageId: string }> {
    this.get(id, actor);
    assertCanWrite(actor);
    if (!actor.chat) {
      throw new BroadcastError(409, "token", "no chat is linked to this token (npm run admin -- token link <id> --chat telegram:<chat id>)");
    }
    const sender = this.deps.senders[actor.chat.channel];
    if (!sender) throw new BroadcastError(409, "token", `the ${actor.chat.channel} channel is not configured`);
    const message = this.messageFor(id, this.deps.defaultLocale);
    if (!message) throw new BroadcastError(404, "id", `no broadcast ${id}`);
    const result = await sender.send(actor.chat.address, message);
    this.audit.record({ actor, action: "broadcast.test", target: `broadcast:${id}`, at: this.deps.clock.now() });
    return { ...actor.chat, providerMessageId: result.providerMessageId };
  }

  /** The message for one locale (en falls back to vi), rendered once per broadcast and cached. */
  messageFor(id: number, locale: Locale): OutboundMessage | undefined {
    let texts = this.rendered.get(id);
    if (!texts) {
      const row = this.deps.db.select().from(broadcasts).where(eq(broadcasts.id, id)).get();
      if (!row) return undefined;
      texts = renderTexts(row.title, row.textVi, row.textEn ?? undefined);
      if (this.rendered.size > 100) this.rendered.clear();
      this.rendered.set(id, texts);
    }
    return { text: texts[locale], buttons: [] };
  }

  private view(row: typeof broadcasts.$inferSelect): BroadcastView {
    return {
      id: row.id,
      title: row.title,
      status: row.status,
      urgent: row.urgent,
      sendAt: new Date(row.sendAt).toISOString(),
      recipients: row.recipients,
      audience: JSON.parse(row.audience) as Audience,
      createdBy: row.createdBy,
      createdAt: new Date(row.createdAt).toISOString(),
      counts: this.deps.outbox.countsFor("broadcast", row.id),
    };
  }

  private validate(body: unknown, actor: Actor): BroadcastInput {
    assertCanWrite(actor);
    const parsed = broadcastInput.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue ? formatPath(issue.path) : "body";
      const message =
        issue?.code === "unrecognized_keys" ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}` : (issue?.message ?? "invalid");
      throw new BroadcastError(400, field || "body", message);
    }
    const input = parsed.data;
    input.audience = this.scopeToOffice(input.audience, actor);
    this.checkUnits(input.audience);
    this.checkTexts(input);
    return input;
  }

  private parseSendAt(value: string, now: Date): Date {
    const at = parseZonedIso(value, this.deps.timeZone);
    if (!at) throw new BroadcastError(400, "sendAt", "must be an ISO date-time such as 2026-01-13T08:00 or 2026-01-13T08:00+07:00");
    // A minute of grace for clocks and slow typing.
    if (at.getTime() < now.getTime() - 60_000) throw new BroadcastError(400, "sendAt", "is in the past");
    return at;
  }

  private checkUnits(audience: Audience): void {
    if (!audience.units) return;
    const known = new Set(
      this.deps.db.select({ code: units.code }).from(units).where(inArray(units.code, audience.units)).all().map((u) => u.code),
    );
    audience.units.forEach((code, i) => {
      if (!known.has(code)) throw new BroadcastError(400, `audience.units[${i}]`, `unknown unit code "${code}"`);
    });
  }

  /** An office admin reaches only its own units and what is under them; others any audience. */
  private scopeToOffice(audience: Audience, actor: Actor): Audience {
    const allowed = this.scopes.unitCodeScope(actor);
    if (!allowed || actor.unitId === null) return audience;
    if (!audience.units) return { ...audience, units: [this.codeOf(actor.unitId)] };
    audience.units.forEach((code, i) => {
      if (!allowed.has(code)) throw new BroadcastError(403, `audience.units[${i}]`, `unit "${code}" is outside your office`);
    });
    return audience;
  }


  private codeOf(unitId: number): string {
    const row = this.deps.db.select({ code: units.code }).from(units).where(eq(units.id, unitId)).get();
    if (!row) throw new BroadcastError(403, "token", "this office token's unit no longer exists");
    return row.code;
  }

  /** Every paragraph must fit in one message of every push channel; longer texts are split between them. */
  private checkTexts(input: BroadcastInput): void {
    const texts = renderTexts(input.title, input.text.vi, input.text.en);
    for (const locale of ["vi", "en"] as const) {
      if (locale === "en" && !input.text.en) continue;
      const paragraphs = splitParagraphs(texts[locale]);
      for (const [channel, { limit, measure }] of Object.entries(CHANNEL_LIMITS)) {
        const tooLong = paragraphs.findIndex((p) => measure(p) > limit);
        if (tooLong >= 0) {
          throw new BroadcastError(
            400,
            `text.${locale}`,
            `paragraph ${tooLong} is ${measure(paragraphs[tooLong] as RichText)} characters; a ${channel} message holds at most ${limit}: split it with a blank line`,
          );
        }
      }
    }
  }
}

function renderTexts(title: string, vi: string, en: string | undefined): Record<Locale, RichText> {
  const heading = (t: string): RichText => ({ lines: [[{ text: t.normalize("NFC"), bold: true }]] });
  const viText = concatRich(heading(title), parseMarkdown(vi));
  return { vi: viText, en: en ? concatRich(heading(title), parseMarkdown(en)) : viText };
}

function splitParagraphs(rich: RichText): RichText[] {
  const out: RichText[] = [];
  let current: RichText["lines"] = [];
  for (const line of rich.lines) {
    if (line.length === 0) {
      if (current.length) out.push({ lines: current });
      current = [];
    } else current.push(line);
  }
  if (current.length) out.push({ lines: current });
  return out;
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "");
}
