import { sql } from "drizzle-orm";
import type { Db } from "../db/database.js";

/** What a reminder (or a summary) is about, for the ladder and for a ZNS template: never parsed from text. */
export interface ReminderFacts {
  personId: number;
  userId: number | null;
  personName: string;
  phone: string | null;
  email: string | null;
  unitName: string;
  taskTitle: string;
  /** ISO date */
  dueOn: string | null;
  /** "due", "late-4", "summary-late-8", "before-3" */
  step: string;
  /** a summary's late units (JSON array of codes); null for a unit's own reminder */
  schools: string | null;
  /** channels the person turned off with /settings */
  off: string[];
}

/** One chat address of a person, as the dry run explains it. */
export interface ChatAddress {
  channel: string;
  address: string;
  lastInboundAt: number;
  unreachable: boolean;
}

/** The ladder's storage: registry facts, e-mail unsubscribes, the monthly ZNS count and its one alert. */
export class SqliteReachStore {
  constructor(private readonly db: Db) {}

  reminderFacts(reminderId: number): ReminderFacts | undefined {
    const row = this.db.get<{
      person_id: number;
      user_id: number | null;
      name: string;
      phone: string | null;
      email: string | null;
      unit_name: string;
      title_vi: string;
      due_on: string | null;
      step: string;
      schools: string | null;
      reach_off: string | null;
    }>(sql`
      SELECT p.id AS person_id, p.user_id, p.name, p.phone, p.email, u.name AS unit_name, t.title_vi, t.due_on, r.step, r.schools, p.reach_off
      FROM reminders r JOIN people p ON p.id = r.person_id JOIN units u ON u.id = r.unit_id JOIN tasks t ON t.id = r.task_id
      WHERE r.id = ${reminderId}`);
    if (!row) return undefined;
    return {
      personId: row.person_id,
      userId: row.user_id,
      personName: row.name,
      phone: row.phone,
      email: row.email,
      unitName: row.unit_name,
      taskTitle: row.title_vi,
      dueOn: row.due_on,
      step: row.step,
      schools: row.schools,
      off: parseOff(row.reach_off),
    };
  }

  /** A registry person's phone, e-mail and chats (most recently used first), for the dry run. */
  person(personId: number): { phone: string | null; email: string | null; chats: ChatAddress[]; off: string[] } | undefined {
    const p = this.db.get<{ phone: string | null; email: string | null; user_id: number | null; reach_off: string | null }>(
      sql`SELECT phone, email, user_id, reach_off FROM people WHERE id = ${personId}`,
    );
    if (!p) return undefined;
    const chats =
      p.user_id === null
        ? []
        : this.db
            .all<{ channel: string; address: string; last_inbound_at: number; unreachable_at: number | null }>(sql`
              SELECT channel, address, last_inbound_at, unreachable_at FROM channel_addresses
              WHERE user_id = ${p.user_id} AND channel != 'web' ORDER BY last_inbound_at DESC, id DESC`)
            .map((a) => ({ channel: a.channel, address: a.address, lastInboundAt: a.last_inbound_at, unreachable: a.unreachable_at !== null }));
    return { phone: p.phone, email: p.email, chats, off: parseOff(p.reach_off) };
  }

  /** The channels a person turned off (/settings). */
  off(personId: number): string[] {
    return parseOff(this.db.get<{ reach_off: string | null }>(sql`SELECT reach_off FROM people WHERE id = ${personId}`)?.reach_off ?? null);
  }

  setOff(personId: number, off: string[], at: Date): void {
    const value = off.length > 0 ? JSON.stringify([...new Set(off)].sort()) : null;
    this.db.run(sql`UPDATE people SET reach_off = ${value}, updated_at = ${at.getTime()} WHERE id = ${personId}`);
  }

  isUnsubscribed(email: string): boolean {
    return this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM email_unsubscribes WHERE address = ${email.toLowerCase()}`)?.n === 1;
  }

  /** Returns whether the address was subscribed until now. */
  unsubscribe(email: string, now: Date): boolean {
    return (
      this.db.run(sql`INSERT INTO email_unsubscribes (address, at) VALUES (${email.toLowerCase()}, ${now.getTime()}) ON CONFLICT(address) DO NOTHING`)
        .changes === 1
    );
  }

  znsSent(month: string): number {
    return this.db.get<{ sent: number }>(sql`SELECT sent FROM zns_usage WHERE month = ${month}`)?.sent ?? 0;
  }

  /** True exactly once per month: the first caller sends the staff alert, nobody after it. */
  claimBudgetAlert(month: string, now: Date): boolean {
    return (
      this.db.run(sql`INSERT INTO zns_usage (month, sent, alerted_at) VALUES (${month}, 0, ${now.getTime()})
        ON CONFLICT(month) DO UPDATE SET alerted_at = ${now.getTime()} WHERE zns_usage.alerted_at IS NULL`).changes === 1
    );
  }
}

function parseOff(value: string | null): string[] {
  if (!value) return [];
  const parsed = JSON.parse(value) as unknown;
  return Array.isArray(parsed) ? parsed.filter((c): c is string => typeof c === "string") : [];
}
