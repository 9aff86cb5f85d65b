import type { SqliteLeases } from "../db/lease-store.js";
import type { DeliveryChannel, SenderLease } from "./outbox-port.js";

/** How long a channel's sender lease lasts unless renewed: another instance takes over within this after a death. */
export const SENDER_LEASE_MS = 5_000;

/** The sender lease of each channel in the database's leases table, held by this instance's INSTANCE_ID. */
export class DatabaseSenderLease implements SenderLease {
  constructor(
    private readonly leases: SqliteLeases,
    private readonly owner: string,
    private readonly leaseMs = SENDER_LEASE_MS,
  ) {}

  hold(channel: DeliveryChannel, now: Date): boolean {
    return this.leases.acquire(`sender:${channel}`, this.owner, this.leaseMs, now.getTime());
  }

  release(channel: DeliveryChannel): void {
    this.leases.release(`sender:${channel}`, this.owner);
  }
}
