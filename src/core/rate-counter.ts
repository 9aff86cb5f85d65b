/**
 * Counters of fixed-window rate limits, shared by every instance when they live in the database: a client
 * limited on one instance is limited on all of them.
 */
export interface RateCounter {
  /** Counts a hit of `key` in `bucket`; a window that ended starts again. Returns the count and the window's end. */
  hit(bucket: string, key: string, windowMs: number, now: number): { count: number; resetAt: number };
  /** Takes one hit back (express-rate-limit's skip of failed or successful requests). */
  undo(bucket: string, key: string): void;
  reset(bucket: string, key: string): void;
}
