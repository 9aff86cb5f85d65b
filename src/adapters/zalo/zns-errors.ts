import type { SendFailure } from "../../core/delivery/send-error.js";

/** Why ZNS refused, in the words the ladder and the delivery report use. */
export type ZnsRefusal = "phone_invalid" | "phone_not_on_zalo" | "user_refuses" | "template" | "quota" | "rate_limited" | "night" | "other";

/**
 * ZNS error codes (Zalo's ZNS error table) mapped to what happens next. A refusal tied to the phone ends ZNS
 * for that person (the ladder moves on to e-mail); a template problem or an exhausted quota ends ZNS for this
 * message (not retried, staff are told); a rate limit or the night-time ban is retried later.
 */
export const ZNS_ERRORS: Record<number, ZnsRefusal> = {
  [-108]: "phone_invalid",
  [-118]: "phone_not_on_zalo", // Zalo account not existed
  [-119]: "user_refuses", // account cannot receive ZNS
  [-114]: "user_refuses", // inactive, refused the message, or too old a Zalo version
  [-139]: "user_refuses", // refused this type of ZNS message
  [-109]: "template", // template id invalid
  [-111]: "template", // template data empty
  [-112]: "template", // template data invalid
  [-117]: "template", // no permission on this template
  [-115]: "quota", // out of quota (balance)
  [-144]: "quota", // daily quota exceeded
  [-32]: "rate_limited",
  [-133]: "night", // ZNS is not delivered at night (22:00-06:00)
};

export function znsRefusal(code: number): ZnsRefusal {
  return ZNS_ERRORS[code] ?? "other";
}

/** Zalo gives no wait for its rate limit; the night ban lasts at most 8 hours (the outbox retries earlier, harmlessly). */
const RATE_LIMIT_WAIT_MS = 60_000;
const NIGHT_WAIT_MS = 30 * 60_000;

export function znsFailure(code: number, message: string): SendFailure {
  const description = `ZNS ${code}: ${message} (${znsRefusal(code)})`;
  switch (znsRefusal(code)) {
    case "phone_invalid":
    case "phone_not_on_zalo":
    case "user_refuses":
      return { kind: "unreachable", description };
    case "template":
    case "quota":
      return { kind: "bad_request", description };
    case "rate_limited":
      return { kind: "rate_limited", retryAfterMs: RATE_LIMIT_WAIT_MS, description };
    case "night":
      return { kind: "rate_limited", retryAfterMs: NIGHT_WAIT_MS, description };
    default:
      return { kind: "server", status: 502, description };
  }
}
