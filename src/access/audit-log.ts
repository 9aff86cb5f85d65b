import { eq } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { auditLog } from "../db/schema.js";
import type { Actor } from "./actor.js";

/** A transaction handle, so an audit row commits (or rolls back) with the change it records. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export interface AuditEntry {
  /** a staff actor, or the label of someone else acting ("telegram:<chat>", "user:<id>") */
  actor: Actor | string;
  /** "<object>.<verb>", e.g. "broadcast.create" */
  action: string;
  /** "<kind>:<id>", e.g. "broadcast:12" */
  target: string;
  /** a string is stored as it is, anything else as JSON */
  detail?: unknown;
  at: Date;
}

/** The one writer of the audit log: every audited action in the product goes through `record`. */
export class AuditLog {
  constructor(private readonly db: Db) {}

  record(entry: AuditEntry, tx?: Tx): void {
    const { actor, detail } = entry;
    (tx ?? this.db)
      .insert(auditLog)
      .values({
        actor: typeof actor === "string" ? actor : actor.label,
        action: entry.action,
        target: entry.target,
        detail: detail === undefined ? null : typeof detail === "string" ? detail : JSON.stringify(detail),
        at: entry.at.getTime(),
      })
      .run();
  }
}

/** /forget: the audit trail keeps what a chat did, no longer which chat it was ("telegram:forgotten"). */
export function forgetAuditActor(tx: Tx, channel: string, address: string): void {
  tx.update(auditLog).set({ actor: `${channel}:forgotten` }).where(eq(auditLog.actor, `${channel}:${address}`)).run();
}
