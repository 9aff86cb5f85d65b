import { sql } from "drizzle-orm";
import type { Db } from "../db/database.js";

/** One delivery step of a reminder to a person: which channel the ladder used and how it ended. */
export interface ReminderDelivery {
  ref: string;
  name: string;
  /** "before-3", "due", "late-4", "summary-late-8", "snooze-2026-01-21" */
  step: string;
  scheduledFor: number;
  channel: string;
  /** the mailbox of an e-mail step; null for a chat or ZNS */
  email: string | null;
  status: string;
  reason: string | null;
  attempts: number;
  doneAt: number | null;
  /** when Zalo's ZNS receipt said the message reached the phone */
  deliveredAt: number | null;
}

/** How many rows one unit's reminders for a task may show (a year holds a few dozen at most). */
const LIMIT = 500;

/** The reminders of one task to one unit's people, each with every step the delivery ladder took. */
export class SqliteReminderDeliveries {
  constructor(private readonly db: Db) {}

  forUnit(taskId: number, unitCode: string): ReminderDelivery[] {
    return this.db.all<ReminderDelivery>(sql`
      SELECT p.ref, p.name, r.step, r.scheduled_for AS "scheduledFor", o.channel,
             CASE WHEN o.channel = 'email' AND o.address != '' THEN o.address ELSE NULL END AS email,
             CASE WHEN o.status = 'sending' THEN 'queued' ELSE o.status END AS status,
             o.reason, o.attempts, o.done_at AS "doneAt", o.delivered_at AS "deliveredAt"
      FROM reminders r JOIN units u ON u.id = r.unit_id JOIN people p ON p.id = r.person_id
        JOIN outbox o ON o.cause_type = 'reminder' AND o.cause_id = r.id
      WHERE r.task_id = ${taskId} AND u.code = ${unitCode}
      ORDER BY r.scheduled_for DESC, r.id DESC, o.id
      LIMIT ${LIMIT}`);
  }
}
