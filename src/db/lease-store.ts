import { sql } from "drizzle-orm";
import type { Db } from "./database.js";

/** Leases in the database: at most one instance holds a name until it lapses. */
export class SqliteLeases {
  constructor(private readonly db: Db) {}

  /** Takes or renews the lease when it is free, lapsed or already ours; true when we hold it now. */
  acquire(name: string, owner: string, ttlMs: number, now: number): boolean {
    const row = this.db.get<{ owner: string }>(sql`
      INSERT INTO leases (name, owner, expires_at) VALUES (${name}, ${owner}, ${now + ttlMs})
      ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
        WHERE leases.expires_at <= ${now} OR leases.owner = excluded.owner
      RETURNING owner`);
    return row?.owner === owner;
  }

  /** Gives the lease up (a clean stop), so another instance need not wait for it to lapse. */
  release(name: string, owner: string): void {
    this.db.run(sql`DELETE FROM leases WHERE name = ${name} AND owner = ${owner}`);
  }

  holder(name: string, now: number): string | undefined {
    return this.db.get<{ owner: string }>(sql`SELECT owner FROM leases WHERE name = ${name} AND expires_at > ${now}`)?.owner;
  }
}
