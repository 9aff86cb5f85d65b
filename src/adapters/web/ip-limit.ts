import type { RequestHandler } from "express";
import { rateLimit, type AugmentedRequest, type ClientRateLimitInfo, type Options, type Store } from "express-rate-limit";
import type { Clock } from "../../core/ports.js";
import type { RateCounter } from "../../core/rate-counter.js";

/**
 * express-rate-limit's counters on the injected clock (tests move it), in fixed windows. Expired keys are
 * pruned as requests arrive, so there is no timer to stop and memory follows the number of recent clients.
 */
export class ClockStore implements Store {
  readonly localKeys = true;
  private windowMs = 60_000;
  private readonly hits = new Map<string, { count: number; resetAt: number }>();
  private calls = 0;

  constructor(private readonly now: () => number) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  get(key: string): ClientRateLimitInfo | undefined {
    const entry = this.live(key, this.now());
    return entry ? { totalHits: entry.count, resetTime: new Date(entry.resetAt) } : undefined;
  }

  increment(key: string): ClientRateLimitInfo {
    const t = this.now();
    let entry = this.live(key, t);
    if (!entry) {
      entry = { count: 0, resetAt: t + this.windowMs };
      this.hits.set(key, entry);
    }
    entry.count += 1;
    if (++this.calls % 1000 === 0) this.prune(t);
    return { totalHits: entry.count, resetTime: new Date(entry.resetAt) };
  }

  decrement(key: string): void {
    const entry = this.hits.get(key);
    if (entry && entry.count > 0) entry.count -= 1;
  }

  resetKey(key: string): void {
    this.hits.delete(key);
  }

  private live(key: string, t: number): { count: number; resetAt: number } | undefined {
    const entry = this.hits.get(key);
    return entry && entry.resetAt > t ? entry : undefined;
  }

  private prune(t: number): void {
    for (const [key, entry] of this.hits) if (entry.resetAt <= t) this.hits.delete(key);
  }
}

/** express-rate-limit's counters in a shared RateCounter (the database): every instance sees the same hits. */
export class SharedStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;

  constructor(
    private readonly counter: RateCounter,
    private readonly bucket: string,
    private readonly now: () => number,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  increment(key: string): ClientRateLimitInfo {
    const { count, resetAt } = this.counter.hit(this.bucket, key, this.windowMs, this.now());
    return { totalHits: count, resetTime: new Date(resetAt) };
  }

  decrement(key: string): void {
    this.counter.undo(this.bucket, key);
  }

  resetKey(key: string): void {
    this.counter.reset(this.bucket, key);
  }
}

/**
 * A limit per client IP (req.ip, which honours TRUST_PROXY; IPv6 clients are grouped by /56, so hopping
 * addresses inside one connection does not help). Answers 429 with Retry-After and a JSON error.
 */
export function perIpLimit(options: {
  limit: number;
  windowMs: number;
  clock: Clock;
  error: string;
  /** a stable code for the answer, when its callers word errors by code (the admin API) */
  code?: string;
  /** counters shared by every instance (the database) under this bucket name; in memory otherwise */
  shared?: { counter: RateCounter; bucket: string };
  onLimited: (ip: string | undefined) => void;
}): RequestHandler {
  const now = (): number => options.clock.now().getTime();
  return rateLimit({
    windowMs: options.windowMs,
    limit: options.limit,
    store: options.shared ? new SharedStore(options.shared.counter, options.shared.bucket, now) : new ClockStore(now),
    // The library's own headers read the real clock; Retry-After is set below from ours.
    standardHeaders: false,
    legacyHeaders: false,
    // An X-Forwarded-For that is not trusted is ignored on purpose (TRUST_PROXY unset): not an error.
    validate: { xForwardedForHeader: false },
    handler: (req, res) => {
      options.onLimited(req.ip);
      const resetAt = (req as AugmentedRequest).rateLimit?.resetTime?.getTime() ?? now() + options.windowMs;
      res
        .status(429)
        .set("Retry-After", String(Math.max(1, Math.ceil((resetAt - now()) / 1000))))
        .json({ error: options.error, ...(options.code ? { code: options.code } : {}) });
    },
  });
}
