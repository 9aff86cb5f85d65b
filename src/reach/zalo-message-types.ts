import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";

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
