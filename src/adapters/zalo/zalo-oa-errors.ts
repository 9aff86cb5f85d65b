import type { SendFailure } from "../../core/delivery/send-error.js";
import { ZaloApiError } from "./zalo-client.js";
import { toFailure } from "./zalo-sender.js";

/**
 * The OA API's refusals of a transaction or promotion message (Zalo's OA error table, "Mã lỗi": -211 "Out of
 * quota", -218 "Out of quota receive", -233 "Message type is invalid or not support"). A spent quota is not
 * retried (it lasts till the month ends) and is named in the report; the rest is mapped like a consultation
 * message (-213 not a follower, -227 inactive: unreachable; -32: rate limit; -216/-220: token).
 */
export const ZALO_TEMPLATE_ERRORS = {
  oaQuota: -211,
  followerQuota: -218,
  typeRefused: -233,
} as const;

export function templateFailure(error: unknown): SendFailure {
  if (error instanceof ZaloApiError) {
    const description = `Zalo error ${error.code}: ${error.zaloMessage}`;
    switch (error.code) {
      case ZALO_TEMPLATE_ERRORS.followerQuota:
        return { kind: "bad_request", reason: "zalo_quota", description };
      case ZALO_TEMPLATE_ERRORS.oaQuota:
        return { kind: "bad_request", reason: "zalo_oa_quota", description };
      case ZALO_TEMPLATE_ERRORS.typeRefused:
        return { kind: "bad_request", reason: "zalo_type_refused", description };
    }
  }
  return toFailure(error);
}
