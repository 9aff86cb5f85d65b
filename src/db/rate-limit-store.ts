import { sql } from "drizzle-orm";
import type { RateCounter } from "../core/rate-counter.js";
import type { Db } from "./database.js";

/** Rate limit counters in the database, so every instance on it counts the same hits. */
export class SqliteRateLimits implements RateCounter {
  private hits = 0;

  constructor(private readonly db: Db) {}

  hit(bucket: string, key: string, windowMs: number, now: number): { count: number; resetAt: number } {
    // One statement: a new key starts at 1; an ended window starts again; otherwise the count goes up.
    const row = this.db.get<{ count: number; resetAt: number }>(sql`
      INSERT INTO rate_limits (bucket, key, count, reset_at) VALUES (${bucket}, ${key}, 1, ${now + windowMs})
      ON CONFLICT (bucket, key) DO UPDATE SET
        count = CASE WHEN rate_limits.reset_at <= ${now} THEN 1 ELSE rate_limits.count + 1 END,
        reset_at = CASE WHEN rate_limits.reset_at <= ${now} THEN CAST(${now + windowMs} AS BIGINT) ELSE rate_limits.reset_at END
      RETURNING count, reset_at AS "resetAt"`);
    // Ended windows are removed now and then, so the table follows the number of recent clients.
    if (++this.hits % 1000 === 0) this.db.run(sql`DELETE FROM rate_limits WHERE reset_at <= ${now}`);
    return row ?? { count: 1, resetAt: now + windowMs };
  }

  undo(bucket: string, key: string): void {
    this.db.run(sql`UPDATE rate_limits SET count = count - 1 WHERE bucket = ${bucket} AND key = ${key} AND count > 0`);
  }

  reset(bucket: string, key: string): void {
    this.db.run(sql`DELETE FROM rate_limits WHERE bucket = ${bucket} AND key = ${key}`);
  }
}
