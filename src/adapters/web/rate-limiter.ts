/**
 * Sliding one-minute window per key (a web chat session; the per-IP limit is separate, in ip-limit.ts).
 * Memory is bounded by pruning keys whose window has emptied.
 */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private calls = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Records a hit and says whether it is within the limit. */
  allow(key: string): boolean {
    const t = this.now();
    const since = t - this.windowMs;
    const recent = (this.hits.get(key) ?? []).filter((at) => at > since);
    const allowed = recent.length < this.limit;
    if (allowed) recent.push(t);
    this.hits.set(key, recent);
    if (++this.calls % 1000 === 0) this.prune(since);
    return allowed;
  }

  private prune(since: number): void {
    for (const [key, times] of this.hits) if (!times.some((at) => at > since)) this.hits.delete(key);
  }
}
