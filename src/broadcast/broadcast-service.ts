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
import { SqliteAudienceCount } from "./sqlite-audience-count.js";
import { SqliteEmailAudience, type EmailAudienceCount } from "./sqlite-email-audience.js";
import { SqliteDeliveryReport, type ReportRow, type ReportStatus } from "./sqlite-delivery-report.js";
import { audienceWhere, onChannel, outsideWindow } from "./sqlite-audience-query.js";
import { SqliteBroadcastStatus } from "./sqlite-broadcast-status.js";
import { SqliteZaloFollowers } from "./sqlite-zalo-followers.js";
import { monthRange, previewZaloTypes, quotaTypes, type ZaloMessageType, type ZaloTypePreview } from "../reach/zalo-message-types.js";

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

/**
 * A refusal with the field it is about: the API answers 400 (or 403/404/409) with it; nothing is written. `code`
 * is stable (the console words it); `extra` holds the values its wording needs (a unit code, a limit).
 */
export class BroadcastError extends Error {
  override name = "BroadcastError";
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly field: string,
    message: string,
    readonly code: string = "invalid",
    readonly extra: Record<string, string | number> = {},
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

export interface TestSendResult {
  channel: Channel;
  address: string;
  providerMessageId: string;
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
  /** Zalo's consultation window (ZALO_CS_WINDOW_DAYS): a Zalo address quiet for longer cannot be sent to */
  zaloWindowMs?: number;
  /** e-mail is on (SMTP_URL, MAIL_FROM): registry staff with no chat get the broadcast by e-mail */
  email?: boolean;
  /** templates/zalo-message-types.yaml: out of the window, followers get promotion messages within their quota */
  zaloTypes?: ZaloMessageType[] | undefined;
}

/**
 * Who an audience reaches, explained: the outbox's own count (`total`, `queued`, `skipped`: what planning
 * writes), plus what can really be delivered now — `deliverable`, per channel — and why the rest cannot
 * (`notDeliverable`: not subscribed, blocked the bot, web chat only, channel not configured here, outside
 * Zalo's window), and the registry's people it names who have no chat linked at all (`withoutChat`).
 * `deliverable` plus every `notDeliverable` equals `total`.
 */
export interface AudienceReport extends AudienceCount {
  deliverable: number;
  byChannel: Partial<Record<Channel, number>>;
  notDeliverable: Record<string, number>;
  withoutChat: number;
  /** of `withoutChat`, who gets it by e-mail and who cannot and why (all zero while e-mail is off) */
  byEmail: EmailAudienceCount;
  /**
   * The Zalo followers it reaches by message type (consultation in the window, promotion out of it), what
   * that costs in đồng, and who is skipped because their month's quota is used; absent without Zalo.
   */
  zalo?: ZaloTypePreview;
}

export class BroadcastService {
  private readonly rendered = new Map<number, Record<Locale, RichText>>();
  private readonly audit: AuditLog;
  private readonly scopes: AccessScopes;
  private readonly registryCount: SqliteAudienceCount;
  private readonly emailAudience: SqliteEmailAudience;
  private readonly report_: SqliteDeliveryReport;
  private readonly zaloFollowers: SqliteZaloFollowers;
  /** the one place a broadcast's status changes */
  readonly lifecycle: BroadcastLifecycle;

  constructor(private readonly deps: BroadcastServiceDeps) {
    this.audit = new AuditLog(deps.db);
    this.scopes = new AccessScopes(new SqliteUnitTree(deps.db));
    this.registryCount = new SqliteAudienceCount(deps.db);
    this.emailAudience = new SqliteEmailAudience(deps.db, deps.defaultLocale);
    this.report_ = new SqliteDeliveryReport(deps.db);
    this.zaloFollowers = new SqliteZaloFollowers(deps.db);
    this.lifecycle = new BroadcastLifecycle(new SqliteBroadcastStatus(deps.db), deps.outbox);
  }

  /** Validates, checks scope and texts, stores, and plans the outbox rows if it is due now. */
  create(body: unknown, actor: Actor): { id: number; recipients: number; deliverable: number; byEmail: number; status: BroadcastView["status"] } {
    const input = this.validate(body, actor);
    const now = this.deps.clock.now();
    const requested = input.sendAt ? this.parseSendAt(input.sendAt, now) : now;
    const effective = input.urgent ? requested : nextAllowed(requested, this.deps.quietHours);
    const count = this.report(input.audience);
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
    return { id, recipients: count.total, deliverable: count.deliverable, byEmail: count.byEmail.reach, status: this.get(id).status };
  }

  preview(body: unknown, actor: Actor): {
    recipients: AudienceReport;
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
    return { recipients: this.report(input.audience), sendAt: effective.toISOString(), rendered };
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
    if (this.deps.email) this.emailAudience.insert(cause, audience, row.urgent, new Date(row.sendAt), now);
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
    if (owners) conditions.push(owners.size > 0 ? inArray(broadcasts.ownerUnitId, [...owners]) : sql`FALSE`);
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
    const notFound = () => new BroadcastError(404, "id", `no broadcast ${id}`, "not_found");
    if (!row) throw notFound();
    // An office admin sees the broadcasts of its office (and offices under it), not the Department's aimed at it.
    return this.view(actor ? this.scopes.assertInScope(actor, row, (r) => r.ownerUnitId, notFound) : row);
  }

  /** How many addresses an audience reaches; an office admin's audience is held to its units, as when sending. */
  countAudience(body: unknown, actor: Actor): AudienceReport {
    const parsed = z.object({ audience: audienceSchema }).strict().safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue ? formatPath(issue.path) || "body" : "body";
      throw new BroadcastError(400, field, issue?.message ?? "invalid", issue ? issueCode(issue, field) : "invalid");
    }
    const { audience: asked } = parsed.data;
    const audience = this.scopeToOffice(asked, actor);
    this.checkUnits(audience);
    return this.report(audience);
  }

  private report(audience: Audience): AudienceReport {
    const where = audienceWhere(audience, this.deps.defaultLocale);
    const count = this.deps.outbox.countSelection(where);
    const notDeliverable: Record<string, number> = { ...count.skipped };
    const add = (reason: string, n: number): void => {
      if (n > 0) notDeliverable[reason] = (notDeliverable[reason] ?? 0) + n;
    };
    const byChannel: Partial<Record<Channel, number>> = {};
    let zalo: ZaloTypePreview | undefined;
    const now = this.deps.clock.now();
    for (const channel of ["telegram", "zalo"] as const) {
      const queued = this.deps.outbox.countSelection(sql`${where} AND ${onChannel(channel)}`).queued;
      if (queued === 0) continue;
      // Rows for a channel this server has no sender for are skipped by the dispatcher (channel_off).
      if (!this.deps.senders[channel]) {
        add("channel_off", queued);
        continue;
      }
      let reachable = queued;
      const types = this.deps.zaloTypes;
      if (channel === "zalo" && types) {
        // Follower by follower, as the sender will decide: consultation, promotion within quota, or skipped.
        const month = monthRange(now, this.deps.timeZone);
        zalo = previewZaloTypes(types, "broadcast", this.zaloFollowers.facts(where, quotaTypes(types), month.from, month.to), now);
        add("zalo_quota", zalo.skipped.zalo_quota);
        add("outside_zalo_window", zalo.skipped.outside_zalo_window);
        reachable -= zalo.skipped.zalo_quota + zalo.skipped.outside_zalo_window;
      } else if (channel === "zalo" && this.deps.zaloWindowMs !== undefined) {
        const outside = this.deps.outbox.countSelection(sql`${where} AND ${onChannel(channel)} AND ${outsideWindow(now, this.deps.zaloWindowMs)}`).queued;
        add("outside_zalo_window", outside);
        reachable -= outside;
      }
      if (reachable > 0) byChannel[channel] = reachable;
    }
    const deliverable = Object.values(byChannel).reduce((a, b) => a + b, 0);
    const byEmail = this.deps.email ? this.emailAudience.count(audience) : { reach: 0, notReached: {} };
    return {
      ...count,
      deliverable,
      byChannel,
      notDeliverable,
      withoutChat: this.registryCount.peopleWithoutChat(audience),
      byEmail,
      ...(zalo ? { zalo } : {}),
    };
  }

  /** A page of the broadcast's recipients with names and units (the console's report table). */
  deliveries(id: number, actor: Actor, page: { status?: ReportStatus | undefined; limit: number; offset: number }): { deliveries: ReportRow[]; total: number } {
    this.get(id, actor);
    const { rows, total } = this.report_.page(id, page.status, page.limit, page.offset);
    return { deliveries: rows, total };
  }

  /** The broadcast and every recipient, read lazily, for the export. */
  exportRows(id: number, actor: Actor): { broadcast: BroadcastView; rows: Iterable<ReportRow> } {
    return { broadcast: this.get(id, actor), rows: this.report_.all(id) };
  }

  cancel(id: number, actor: Actor): BroadcastView {
    const current = this.get(id, actor);
    assertCanWrite(actor);
    if (current.status === "done" || current.status === "cancelled") {
      throw new BroadcastError(409, "status", `broadcast is already ${current.status}`, "broadcast_ended", { status: current.status });
    }
    const now = this.deps.clock.now();
    if (this.lifecycle.cancel(id, now)) {
      this.audit.record({ actor, action: "broadcast.cancel", target: `broadcast:${id}`, at: now });
    }
    return this.get(id);
  }

  /** Sends the broadcast to the caller's own linked chat only, straight away, outside the outbox. */
  async testSend(id: number, actor: Actor): Promise<TestSendResult> {
    this.get(id, actor);
    assertCanWrite(actor);
    const message = this.messageFor(id, this.deps.defaultLocale);
    if (!message) throw new BroadcastError(404, "id", `no broadcast ${id}`, "not_found");
    const result = await this.sendToOwnChat(actor, message);
    this.audit.record({ actor, action: "broadcast.test", target: `broadcast:${id}`, at: this.deps.clock.now() });
    return result;
  }

  /**
   * Sends a draft (the body `create` takes, nothing stored) to the caller's own linked chat, so a staff member
   * sees the message as it will arrive before anyone else gets it.
   */
  async testDraft(body: unknown, actor: Actor): Promise<TestSendResult> {
    const input = this.validate(body, actor);
    const texts = renderTexts(input.title, input.text.vi, input.text.en);
    const result = await this.sendToOwnChat(actor, { text: texts[this.deps.defaultLocale], buttons: [] });
    this.audit.record({ actor, action: "broadcast.test", target: "broadcast:draft", detail: { title: input.title }, at: this.deps.clock.now() });
    return result;
  }

  private async sendToOwnChat(actor: Actor, message: OutboundMessage): Promise<TestSendResult> {
    if (!actor.chat) {
      throw new BroadcastError(
        409,
        "chat",
        "no chat is linked to you (a console account: link its person in the registry and /link the chat; a token: npm run admin -- token link <id> --chat telegram:<chat id>)",
        "test_no_linked_chat",
      );
    }
    const sender = this.deps.senders[actor.chat.channel];
    if (!sender) {
      throw new BroadcastError(409, "chat", `the ${actor.chat.channel} channel is not configured`, "test_channel_not_configured", { channel: actor.chat.channel });
    }
    const result = await sender.send(actor.chat.address, message);
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
      throw new BroadcastError(400, field || "body", message, issue ? issueCode(issue, field) : "invalid", unknownKeys(issue));
    }
    const input = parsed.data;
    input.audience = this.scopeToOffice(input.audience, actor);
    this.checkUnits(input.audience);
    this.checkTexts(input);
    return input;
  }

  private parseSendAt(value: string, now: Date): Date {
    const at = parseZonedIso(value, this.deps.timeZone);
    if (!at) throw new BroadcastError(400, "sendAt", "must be an ISO date-time such as 2026-01-13T08:00 or 2026-01-13T08:00+07:00", "send_at_invalid");
    // A minute of grace for clocks and slow typing.
    if (at.getTime() < now.getTime() - 60_000) throw new BroadcastError(400, "sendAt", "is in the past", "send_at_past");
    return at;
  }

  private checkUnits(audience: Audience): void {
    if (!audience.units) return;
    const known = new Set(
      this.deps.db.select({ code: units.code }).from(units).where(inArray(units.code, audience.units)).all().map((u) => u.code),
    );
    audience.units.forEach((code, i) => {
      if (!known.has(code)) throw new BroadcastError(400, `audience.units[${i}]`, `unknown unit code "${code}"`, "unknown_unit", { unit: code });
    });
  }

  /** An office admin reaches only its own units and what is under them; others any audience. */
  private scopeToOffice(audience: Audience, actor: Actor): Audience {
    const allowed = this.scopes.unitCodeScope(actor);
    if (!allowed || actor.unitId === null) return audience;
    if (!audience.units) return { ...audience, units: [this.codeOf(actor.unitId)] };
    audience.units.forEach((code, i) => {
      if (!allowed.has(code)) throw new BroadcastError(403, `audience.units[${i}]`, `unit "${code}" is outside your office`, "unit_outside_office", { unit: code });
    });
    return audience;
  }


  private codeOf(unitId: number): string {
    const row = this.deps.db.select({ code: units.code }).from(units).where(eq(units.id, unitId)).get();
    if (!row) throw new BroadcastError(403, "token", "this office token's unit no longer exists", "office_unit_gone");
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
            "paragraph_too_long",
            { paragraph: tooLong + 1, length: measure(paragraphs[tooLong] as RichText), limit, channel },
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

/** A stable code for a validation problem: what the console words ("title_required", "text_too_long"…). */
function issueCode(issue: z.ZodIssue, field: string): string {
  if (issue.code === "unrecognized_keys") return "unknown_field";
  const base = field.replace(/\[\d+\]/g, "").replace(/\.(vi|en)$/, "");
  if (base === "title" || base === "text") {
    if (issue.code === "too_small" || issue.code === "invalid_type") return `${base}_required`;
    if (issue.code === "too_big") return `${base}_too_long`;
  }
  if (base.startsWith("audience")) return "invalid_audience";
  return "invalid";
}

function unknownKeys(issue: z.ZodIssue | undefined): Record<string, string> {
  return issue?.code === "unrecognized_keys" ? { name: issue.keys.join(", ") } : {};
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "");
}
