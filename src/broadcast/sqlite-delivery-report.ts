import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";

/** The statuses a staff member filters the report by ("queued" includes rows being sent right now). */
export const REPORT_STATUSES = ["queued", "sent", "failed", "skipped", "cancelled"] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** One recipient of a broadcast as a person reads it: a name and units, not a chat id. */
export interface ReportRow {
  id: number;
  /** the registry person's name, or null for a chat user who is not in the registry (a parent) */
  name: string | null;
  /** the registry person's unit, else the units the chat user follows, "; "-separated; null when none */
  units: string | null;
  role: string | null;
  /** the channel actually used for this row (a person with no chat: "email") */
  channel: string;
  /** the e-mail address of an e-mail row (which mailbox it went to); null for a chat */
  email: string | null;
  /** the Zalo OA message type it went by (consultation, promotion); null elsewhere */
  zaloType: string | null;
  status: ReportStatus;
  reason: string | null;
  attempts: number;
  doneAt: number | null;
  /** when the platform said the message reached the person (ZNS receipts), epoch ms; null when it did not say */
  deliveredAt: number | null;
}

/** Per-recipient rows of a broadcast joined with the registry, for the console's table and the XLSX export. */
export class SqliteDeliveryReport {
  constructor(private readonly db: Db) {}

  page(broadcastId: number, status: ReportStatus | undefined, limit: number, offset: number): { rows: ReportRow[]; total: number } {
    const where = this.where(broadcastId, status);
    const total = this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM outbox o WHERE ${where}`)?.n ?? 0;
    return { rows: this.select(where, limit, offset), total };
  }

  /** Every row, a thousand at a time (never the whole report in memory). */
  *all(broadcastId: number): Generator<ReportRow> {
    const where = this.where(broadcastId, undefined);
    for (let offset = 0; ; offset += 1000) {
      const rows = this.select(where, 1000, offset);
      yield* rows;
      if (rows.length < 1000) return;
    }
  }

  private where(broadcastId: number, status: ReportStatus | undefined): SQL {
    const statuses = status === "queued" ? sql`AND o.status IN ('queued', 'sending')` : status ? sql`AND o.status = ${status}` : sql``;
    return sql`o.cause_type = 'broadcast' AND o.cause_id = ${broadcastId} ${statuses}`;
  }

  private select(where: SQL, limit: number, offset: number): ReportRow[] {
    return this.db
      .all<ReportRow>(
        sql`
      SELECT o.id, o.channel, o.zalo_type AS "zaloType", o.reason, o.attempts, o.done_at AS "doneAt", o.delivered_at AS "deliveredAt",
             CASE WHEN o.channel = 'email' AND o.address != '' THEN o.address ELSE NULL END AS email,
             CASE WHEN o.status = 'sending' THEN 'queued' ELSE o.status END AS status,
             COALESCE(
               (SELECT p.name FROM people p WHERE p.id = o.person_id),
               (SELECT p.name FROM people p WHERE p.user_id = o.user_id ORDER BY p.id LIMIT 1)
             ) AS name,
             COALESCE(
               (SELECT un.name FROM people p JOIN units un ON un.id = p.unit_id WHERE p.id = o.person_id),
               (SELECT un.name FROM people p JOIN units un ON un.id = p.unit_id WHERE p.user_id = o.user_id ORDER BY p.id LIMIT 1),
               (SELECT string_agg(un.name, '; ') FROM user_units uu JOIN units un ON un.id = uu.unit_id WHERE uu.user_id = o.user_id)
             ) AS units,
             COALESCE((SELECT p.role FROM people p WHERE p.id = o.person_id), (SELECT u.role FROM users u WHERE u.id = o.user_id)) AS role
      FROM outbox o WHERE ${where} ORDER BY o.id LIMIT ${limit} OFFSET ${offset}`,
      );
  }
}
