import { randomUUID } from "node:crypto";
import type { SqliteLeases } from "../db/lease-store.js";

/**
 * Scheduled work that must run once per tick across every instance on the database (the reminder planner,
 * the broadcast tick, the nightly purge). Each instance's timer fires; the first to take the tick's lease runs
 * the work and the others skip it. The lease is shorter than the interval, so the next tick is free again, and
 * an instance that died holding it blocks nothing for longer than the lease.
 */
export class OncePerTick {
  readonly owner = randomUUID();

  constructor(
    private readonly leases: SqliteLeases,
    private readonly now: () => number,
  ) {}

  private readonly held = new Set<string>();

  /** Gives up every lease this instance took (a clean stop: the next instance need not wait for them). */
  releaseAll(): void {
    for (const name of this.held) this.leases.release(name, this.owner);
    this.held.clear();
  }

  /** Runs `work` when this instance takes the lease `name` for `leaseMs`; says whether it ran. */
  run(name: string, leaseMs: number, work: () => void): boolean {
    if (!this.leases.acquire(`tick:${name}`, this.owner, leaseMs, this.now())) return false;
    this.held.add(`tick:${name}`);
    work();
    return true;
  }
}
