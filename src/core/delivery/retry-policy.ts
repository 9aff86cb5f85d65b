import { SendError, type SendFailure, type SendResult } from "./send-error.js";

export interface RetryPolicy {
  /** bounds 429s always; bounds network errors and 5xx only when there is no deadline */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * When set, network errors and 5xx are retried until this long after the first attempt, not a fixed number
   * of times: an outage of a few minutes then delays messages instead of failing them.
   */
  deadlineMs?: number | undefined;
}

/** A short budget, for a reply a person is waiting for. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/** Calls a service needs at start-up (Telegram getMe, setWebhook): retried for as long as it runs. */
export const STARTUP_RETRY_POLICY: RetryPolicy = { maxAttempts: Number.POSITIVE_INFINITY, baseDelayMs: 1000, maxDelayMs: 5 * 60_000 };

/** Queued deliveries (broadcasts, reminders): back off up to 5 minutes, give up at the deadline. */
export function deliveryPolicy(maxAttempts: number, deadlineMs: number): RetryPolicy {
  return { maxAttempts, baseDelayMs: 500, maxDelayMs: 5 * 60_000, deadlineMs };
}

export type Decision =
  | { retry: true; delayMs: number }
  | { retry: false; outcome: "failed" | "unreachable" | "window_closed" };

/**
 * The one retry policy of all senders: wait exactly retry_after on a rate limit; back off with jitter on 5xx
 * and network errors; never retry a 400; a blocked or gone recipient is unreachable, not retried.
 * `attempt` counts from 1 (the attempt that just failed); `elapsedMs` is the time since the first attempt.
 */
export function decide(
  failure: SendFailure,
  attempt: number,
  policy: RetryPolicy,
  random = Math.random,
  elapsedMs = 0,
): Decision {
  const attemptsLeft = attempt < policy.maxAttempts;
  switch (failure.kind) {
    case "rate_limited":
      return attemptsLeft ? { retry: true, delayMs: failure.retryAfterMs } : { retry: false, outcome: "failed" };
    case "server":
    case "network": {
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 40));
      const delayMs = Math.round(ceiling / 2 + random() * (ceiling / 2));
      if (policy.deadlineMs === undefined) return attemptsLeft ? { retry: true, delayMs } : { retry: false, outcome: "failed" };
      // The last try lands on the deadline rather than past it.
      const remaining = policy.deadlineMs - elapsedMs;
      return remaining > 0 ? { retry: true, delayMs: Math.min(delayMs, remaining) } : { retry: false, outcome: "failed" };
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
