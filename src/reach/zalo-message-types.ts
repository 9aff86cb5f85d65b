import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { localDateParts, zonedInstant } from "../core/time/zoned-time.js";

/** What a Zalo OA message can be sent for. */
export const ZALO_MESSAGE_USES = ["answer", "reminder", "handoff_reply", "broadcast"] as const;
export type ZaloMessageUse = (typeof ZALO_MESSAGE_USES)[number];

const typeSchema = z.strictObject({
  endpoint: z.string().regex(/^\/v\d+\.\d+\/oa\/message\/[a-z]+$/, "must be an OA message endpoint such as /v3.0/oa/message/cs"),
  template: z.string().min(1),
  window_hours: z.number().positive().nullable(),
  monthly_quota_per_follower: z.number().int().nonnegative().nullable(),
  price_vnd: z.number().nonnegative(),
  charged_after_hours: z.number().nonnegative(),
  use_for: z.array(z.enum(ZALO_MESSAGE_USES)).min(1),
});

export type ZaloMessageType = z.infer<typeof typeSchema> & { name: string };

/** Reads templates/zalo-message-types.yaml; the consultation type must exist (the chat itself uses it). */
export function loadZaloMessageTypes(file: string): ZaloMessageType[] {
  const parsed = z.strictObject({ types: z.record(z.string(), typeSchema) }).safeParse(parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const types = Object.entries(parsed.data.types).map(([name, t]) => ({ name, ...t }));
  if (!types.some((t) => t.name === "consultation" && t.window_hours !== null)) throw new Error(`${file}: a "consultation" type with its window_hours is required`);
  return types;
}

/**
 * Which type may carry a message of this use to a follower now: the free consultation message while the
 * follower's window is open, otherwise the first type for this use whose quota the follower has not used up.
 * Undefined (with the reason) when none can.
 */
export function chooseZaloMessageType(
  types: ZaloMessageType[],
  use: ZaloMessageUse,
  follower: { hoursSinceLastMessage: number | null; sentThisMonth: Record<string, number> },
): { type: ZaloMessageType; chargedVnd: number } | { type: undefined; reason: "window_closed" | "quota_used" | "no_type" } {
  const candidates = types.filter((t) => t.use_for.includes(use));
  if (candidates.length === 0) return { type: undefined, reason: "no_type" };
  let quotaUsed = false;
  for (const type of candidates) {
    const since = follower.hoursSinceLastMessage;
    if (type.window_hours !== null && (since === null || since > type.window_hours)) continue;
    if (type.monthly_quota_per_follower !== null && (follower.sentThisMonth[type.name] ?? 0) >= type.monthly_quota_per_follower) {
      quotaUsed = true;
      continue;
    }
    const charged = since === null || since >= type.charged_after_hours;
    return { type, chargedVnd: charged ? type.price_vnd : 0 };
  }
  return { type: undefined, reason: quotaUsed ? "quota_used" : "window_closed" };
}

/** The use a cause's message is for (an outbox row's cause type). */
export function zaloUseOf(causeType: "broadcast" | "reminder" | "handoff_reply"): ZaloMessageUse {
  return causeType;
}

/** The types whose monthly quota per follower must be counted. */
export function quotaTypes(types: ZaloMessageType[]): string[] {
  return types.filter((t) => t.monthly_quota_per_follower !== null).map((t) => t.name);
}

/** The calendar month an instant falls in, local time of the zone, as epoch ms [from, to). */
export function monthRange(at: Date, timeZone: string): { from: number; to: number } {
  const { year, month } = localDateParts(at, timeZone);
  const iso = (y: number, m: number): string => `${y}-${String(m).padStart(2, "0")}-01`;
  const next = month === 12 ? iso(year + 1, 1) : iso(year, month + 1);
  return { from: zonedInstant(iso(year, month), 0, 0, timeZone).getTime(), to: zonedInstant(next, 0, 0, timeZone).getTime() };
}

/** One follower as the preview sees them: when they last wrote (epoch ms) and what they got this month. */
export interface FollowerFacts {
  lastInboundAt: number | null;
  sentThisMonth: Record<string, number>;
}

/** What a message would cost and reach over many followers: per type, and who is skipped and why. */
export interface ZaloTypePreview {
  byType: Record<string, { followers: number; charged: number; costVnd: number }>;
  skipped: { zalo_quota: number; outside_zalo_window: number };
  costVnd: number;
}

/**
 * The preview of one message to many followers, follower by follower as chooseZaloMessageType decides at
 * send time. Followers are counted one message each (a message that fits one Zalo message: the usual case).
 */
export function previewZaloTypes(types: ZaloMessageType[], use: ZaloMessageUse, followers: Iterable<FollowerFacts>, now: Date): ZaloTypePreview {
  const preview: ZaloTypePreview = { byType: {}, skipped: { zalo_quota: 0, outside_zalo_window: 0 }, costVnd: 0 };
  for (const follower of followers) {
    const hours = follower.lastInboundAt === null ? null : (now.getTime() - follower.lastInboundAt) / 3_600_000;
    const choice = chooseZaloMessageType(types, use, { hoursSinceLastMessage: hours, sentThisMonth: follower.sentThisMonth });
    if (choice.type === undefined) {
      preview.skipped[zaloSkipReason(choice.reason)]++;
      continue;
    }
    const entry = (preview.byType[choice.type.name] ??= { followers: 0, charged: 0, costVnd: 0 });
    entry.followers++;
    if (choice.chargedVnd > 0) entry.charged++;
    entry.costVnd += choice.chargedVnd;
    preview.costVnd += choice.chargedVnd;
  }
  return preview;
}

/** The skip reason of a follower no type can reach now (the delivery report's words). */
export function zaloSkipReason(reason: "window_closed" | "quota_used" | "no_type"): "zalo_quota" | "outside_zalo_window" {
  return reason === "quota_used" ? "zalo_quota" : "outside_zalo_window";
}

/** The consultation type's window set from ZALO_CS_WINDOW_DAYS (configuration wins over the file). */
export function withConsultationWindow(types: ZaloMessageType[], windowDays: number): ZaloMessageType[] {
  return types.map((t) => (t.name === "consultation" ? { ...t, window_hours: windowDays * 24 } : t));
}
