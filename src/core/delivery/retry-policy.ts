import { SendError, type SendFailure, type SendResult } from "./send-error.js";

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

export type Decision =
  | { retry: true; delayMs: number }
  | { retry: false; outcome: "failed" | "unreachable" | "window_closed" };

/**
 * The one retry policy of all senders: wait exactly retry_after on a rate limit; back off with jitter on 5xx
 * and network errors; never retry a 400; a blocked or gone recipient is unreachable, not retried.
 * `attempt` counts from 1 (the attempt that just failed).
 */
export function decide(failure: SendFailure, attempt: number, policy: RetryPolicy, random = Math.random): Decision {
  const attemptsLeft = attempt < policy.maxAttempts;
  switch (failure.kind) {
    case "rate_limited":
      return attemptsLeft ? { retry: true, delayMs: failure.retryAfterMs } : { retry: false, outcome: "failed" };
    case "server":
    case "network": {
      if (!attemptsLeft) return { retry: false, outcome: "failed" };
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      return { retry: true, delayMs: Math.round(ceiling / 2 + random() * (ceiling / 2)) };
    }
    case "unreachable":
      return { retry: false, outcome: "unreachable" };
    case "window_closed":
      return { retry: false, outcome: "window_closed" };
    case "token_invalid":
    case "bad_request":
      return { retry: false, outcome: "failed" };
  }
}

export type DeliveryOutcome =
  | { ok: true; result: SendResult; attempts: number }
  | { ok: false; outcome: "failed" | "unreachable" | "window_closed"; failure: SendFailure; attempts: number };

/** Runs one send under the policy, sleeping between attempts as it decides. */
export async function sendWithRetry(
  send: () => Promise<SendResult>,
  policy: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
  onRetry?: (failure: SendFailure, delayMs: number) => void,
): Promise<DeliveryOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, result: await send(), attempts: attempt };
    } catch (error) {
      if (!(error instanceof SendError)) throw error;
      const decision = decide(error.failure, attempt, policy);
      if (!decision.retry) return { ok: false, outcome: decision.outcome, failure: error.failure, attempts: attempt };
      onRetry?.(error.failure, decision.delayMs);
      await sleep(decision.delayMs);
    }
  }
}
