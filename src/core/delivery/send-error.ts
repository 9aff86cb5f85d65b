/**
 * One result shape for every channel sender. A platform refusal (Telegram error_code, Zalo `error` in an
 * HTTP 200 body) and a failed request (network, timeout, 5xx) are kept apart, so one policy can decide.
 */
export type SendFailure =
  | { kind: "rate_limited"; retryAfterMs: number; description: string }
  | { kind: "unreachable"; description: string }
  /** `movedTo`: the chat now has another address (a Telegram group upgraded to a supergroup) */
  /** `reason`: what the delivery report says instead of "bad_request" (Zalo's quota refusals: zalo_quota) */
  | { kind: "bad_request"; description: string; movedTo?: string; reason?: string }
  | { kind: "window_closed"; description: string }
  | { kind: "token_invalid"; description: string }
  | { kind: "server"; status: number; description: string }
  | { kind: "network"; description: string };

export class SendError extends Error {
  override name = "SendError";
  constructor(readonly failure: SendFailure) {
    super(`${failure.kind}: ${failure.description}`);
  }
}

export interface SendResult {
  providerMessageId: string;
  /** the platform's message type it went by, for the report (Zalo OA: consultation, transaction, promotion) */
  messageType?: string;
}
