import { jsonArrayOf } from "../db/dialect.js";
import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { unitOwesTask, type TaskAudience } from "../tasks/task-store.js";
import { Enqueue } from "../outbox/enqueue.js";
import { SqliteOutbox } from "../outbox/sqlite-outbox-store.js";
import { stepsFor, type ReminderSettings, type Step } from "./steps.js";

interface DueTask {
  id: number;
  key: string;
  titleVi: string;
  dueOn: string;
  appliesTo: TaskAudience;
}

export interface PlannedReminder {
  ref: string;
  name: string;
  role: string;
  unit: string;
  unitName: string;
  task: string;
  title: string;
  dueOn: string;
  step: string;
  scheduledFor: string;
  /** "telegram:123" per linked address, or why there is none */
  channels: string[];
  /** the channel the delivery ladder would use now ("zalo", "telegram", "zns", "email", "none") */
  channel: string;
  /** why that one: "zalo window closed 9 days ago; no telegram" */
  why: string;
  /** for office and Department summaries: the late units' codes */
  lateUnits?: string[];
}

/** What the next reminder round of a task would be with a given due date (a date change's dry run). */
export interface DueDatePreview {
  /** the step the next round sends (the latest already due within the catch-up window, else the first to come); null when none is left */
  step: { key: string; offsetDays: number; at: string; toOffice: boolean; toDepartment: boolean } | null;
  /** the step's time has already come: the planner sends it at its next run */
  immediate: boolean;
  /** units the task applies to that have not finished it, by type */
  owing: { schools: number; offices: number; other: number };
  /** reminders that step would write now: the units' own people, office and Department summaries */
  recipients: { people: number; officeSummaries: number; departmentSummaries: number };
}

/**
 * Finds what is due at `now` and writes reminder rows, then outbox rows for the linked chats. Unique keys
 * per (task, unit, person, step) and per (reminder, address) make a second run, a second process or a
 * restart harmless. Runs in a few milliseconds when nothing is due, which is almost always.
 */
export class ReminderPlanner {
  /** Steps depend only on the due date and the settings: computed once per date. */
  private readonly stepCache = new Map<string, Step[]>();

  private readonly enqueue: Enqueue;

  constructor(
    private readonly db: Db,
    private readonly settings: ReminderSettings,
    defaultLocale: string,
    enqueue?: Enqueue,
    private readonly ladder?: { explain(personId: number, step: string, now: Date): { channel: string; why: string } },
  ) {
    this.enqueue = enqueue ?? new Enqueue(new SqliteOutbox({ db }, defaultLocale));
  }

  plan(now: Date): { steps: number; reminders: number; deliveries: number } {
    let steps = 0;
    let remindersWritten = 0;
    let deliveries = 0;
    for (const task of this.dueTasks(now)) {
      for (const step of this.currentSteps(task.dueOn, now)) {
        const done = this.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM planned_steps WHERE task_id = ${task.id} AND step = ${step.key}`);
        if (done && done.n > 0) continue;
        steps++;
        const counts = this.db.transaction((tx) => {
          let written = tx.run(this.insertUnitReminders(task, step, now)).changes;
          if (step.toOffice) written += tx.run(this.insertSummaries(task, step, "office", now)).changes;
          if (step.toDepartment) written += tx.run(this.insertSummaries(task, step, "department", now)).changes;
          const sent = this.enqueueDeliveries(tx, task, step, now);
          tx.run(sql`INSERT INTO planned_steps (task_id, step, planned_at) VALUES (${task.id}, ${step.key}, ${now.getTime()}) ON CONFLICT DO NOTHING`);
          return { written, sent };
        });
        remindersWritten += counts.written;
        deliveries += counts.sent;
      }
    }
    return { steps, reminders: remindersWritten, deliveries };
  }

  /** Who would get what at `at`, without writing anything. */
  dryRun(at: Date): PlannedReminder[] {
    const out: PlannedReminder[] = [];
    for (const task of this.dueTasks(at)) {
      for (const step of this.currentSteps(task.dueOn, at)) {
        const rows = this.db.all<{ ref: string; name: string; role: string; unit: string; unit_name: string; person_id: number; late: string | null }>(
          this.recipients(task, step, at),
        );
        for (const r of rows) {
          const channels = this.db.all<{ c: string }>(sql`
            SELECT a.channel || ':' || a.address || CASE WHEN a.unreachable_at IS NOT NULL THEN ' (unreachable)' ELSE '' END AS c
            FROM people p JOIN channel_addresses a ON a.user_id = p.user_id AND a.channel != 'web' WHERE p.id = ${r.person_id}`);
          out.push({
            ref: r.ref,
            name: r.name,
            role: r.role,
            unit: r.unit,
            unitName: r.unit_name,
            task: task.key,
            title: task.titleVi,
            dueOn: task.dueOn,
            step: r.late ? `summary-${step.key}` : step.key,
            scheduledFor: step.at.toISOString(),
            channels: channels.length > 0 ? channels.map((c) => c.c) : ["none: not linked to a chat"],
            ...(this.ladder?.explain(r.person_id, r.late ? `summary-${step.key}` : step.key, at) ??
              (channels.length > 0 ? { channel: channels[0]?.c.split(":")[0] ?? "none", why: "linked chat" } : { channel: "none", why: "not linked to a chat" })),
            ...(r.late ? { lateUnits: JSON.parse(r.late) as string[] } : {}),
          });
        }
      }
    }
    return out;
  }

  /**
   * A dry run of a new due date for a task, with the planner's own rules: a date change forgets the steps
   * already planned, so the next run plans whichever step of the new date is within the catch-up window, and
   * later steps at their time. Writes nothing.
   */
  previewDueDate(taskId: number, dueOn: string, now: Date): DueDatePreview | undefined {
    const row = this.db.get<{ id: number; key: string; title_vi: string; applies_types: string; applies_levels: string | null }>(
      sql`SELECT id, key, title_vi, applies_types, applies_levels FROM tasks WHERE id = ${taskId}`,
    );
    if (!row) return undefined;
    const task: DueTask = {
      id: row.id,
      key: row.key,
      titleVi: row.title_vi,
      dueOn,
      appliesTo: { types: JSON.parse(row.applies_types) as string[], levels: row.applies_levels ? (JSON.parse(row.applies_levels) as string[]) : null },
    };
    const owingRows = this.db.all<{ type: string; n: number }>(sql`SELECT u.type, count(*) AS n FROM units u WHERE ${this.lateUnitCondition(task, "u")} GROUP BY u.type`);
    const owing = { schools: 0, offices: 0, other: 0 };
    for (const r of owingRows) {
      if (r.type === "school") owing.schools += r.n;
      else if (r.type === "office") owing.offices += r.n;
      else owing.other += r.n;
    }
    const t = now.getTime();
    // The next run plans every step whose time has come within the catch-up window (several may share a
    // Monday morning after a weekend): the latest of them is the one that says how late the units are.
    // With none due yet, the next round is the first step still to come.
    const steps = stepsFor(dueOn, this.settings);
    const due = steps.filter((s) => s.at.getTime() <= t && s.at.getTime() > t - this.settings.catchUpMs);
    const step = due.length > 0 ? due[due.length - 1] : steps.find((s) => s.at.getTime() > t);
    if (!step) return { step: null, immediate: false, owing, recipients: { people: 0, officeSummaries: 0, departmentSummaries: 0 } };
    const at = new Date(Math.max(step.at.getTime(), t));
    const rows = this.db.all<{ role: string; late: string | null }>(this.recipients(task, step, at));
    const recipients = { people: 0, officeSummaries: 0, departmentSummaries: 0 };
    for (const r of rows) {
      if (r.late === null) recipients.people++;
      else if (r.role === "office_staff") recipients.officeSummaries++;
      else recipients.departmentSummaries++;
    }
    return {
      step: { key: step.key, offsetDays: step.offsetDays, at: step.at.toISOString(), toOffice: step.toOffice, toDepartment: step.toDepartment },
      immediate: step.at.getTime() <= t,
      owing,
      recipients,
    };
  }

  private currentSteps(dueOn: string, now: Date): Step[] {
    let steps = this.stepCache.get(dueOn);
    if (!steps) {
      steps = stepsFor(dueOn, this.settings);
      if (this.stepCache.size > 500) this.stepCache.clear();
      this.stepCache.set(dueOn, steps);
    }
    const t = now.getTime();
    return steps.filter((s) => s.at.getTime() <= t && s.at.getTime() > t - this.settings.catchUpMs);
  }

  private dueTasks(now: Date): DueTask[] {
    const day = 86_400_000;
    const from = new Date(now.getTime() - (this.settings.maxLateDays + 7) * day).toISOString().slice(0, 10);
    const to = new Date(now.getTime() + (Math.max(...this.settings.daysBefore, 0) + 7) * day).toISOString().slice(0, 10);
    return this.db
      .all<{ id: number; key: string; title_vi: string; due_on: string; applies_types: string; applies_levels: string | null }>(
        sql`SELECT id, key, title_vi, due_on, applies_types, applies_levels FROM tasks WHERE due_on IS NOT NULL AND due_on BETWEEN ${from} AND ${to}`,
      )
      .map((t) => ({
        id: t.id,
        key: t.key,
        titleVi: t.title_vi,
        dueOn: t.due_on,
        appliesTo: { types: JSON.parse(t.applies_types) as string[], levels: t.applies_levels ? (JSON.parse(t.applies_levels) as string[]) : null },
      }));
  }

  /** Units the task applies to that have not finished it (alias `u`): the task board's one rule. */
  private lateUnitCondition(task: DueTask, alias: string): SQL {
    return unitOwesTask(task, alias);
  }

  private notSnoozed(taskId: number, unitAlias: string, now: Date): SQL {
    return sql`NOT EXISTS (SELECT 1 FROM reminder_snoozes z WHERE z.task_id = ${taskId} AND z.unit_id = ${sql.raw(unitAlias)}.id AND z.person_id = p.id AND z.until > ${now.getTime()})`;
  }

  /** The school's own people (IT lead and leader; an office's staff when the office itself owes the task). */
  private insertUnitReminders(task: DueTask, step: Step, now: Date): SQL {
    return sql`
      INSERT INTO reminders (task_id, unit_id, person_id, step, scheduled_for, created_at)
      SELECT ${task.id}, u.id, p.id, ${step.key}, ${step.at.getTime()}, ${now.getTime()}
      FROM units u JOIN people p ON p.unit_id = u.id AND (
        (u.type = 'school' AND p.role IN ('it_lead', 'school_leader')) OR (u.type = 'office' AND p.role = 'office_staff'))
      WHERE ${this.lateUnitCondition(task, "u")} AND ${this.notSnoozed(task.id, "u", now)}
      ON CONFLICT DO NOTHING`;
  }

  /** One message per office (its late schools) or per Department staff member (all late units). */
  private insertSummaries(task: DueTask, step: Step, level: "office" | "department", now: Date): SQL {
    const under = level === "office" ? sql`x.parent_id = o.id` : sql`1 = 1`;
    const role = level === "office" ? "office_staff" : "department_staff";
    return sql`
      INSERT INTO reminders (task_id, unit_id, person_id, step, schools, scheduled_for, created_at)
      SELECT ${task.id}, o.id, p.id, ${`summary-${step.key}`},
        (SELECT ${jsonArrayOf(this.db, sql`x.code`)} FROM units x WHERE ${under} AND x.type = 'school' AND ${this.lateUnitCondition(task, "x")}),
        ${step.at.getTime()}, ${now.getTime()}
      FROM units o JOIN people p ON p.unit_id = o.id AND p.role = ${role}
      WHERE o.type = ${level}
        AND EXISTS (SELECT 1 FROM units x WHERE ${under} AND x.type = 'school' AND ${this.lateUnitCondition(task, "x")})
      ON CONFLICT DO NOTHING`;
  }

  /**
   * One outbox row per reminder of this step, through the one enqueue: the person's last-used channel (the
   * dispatcher falls back to another one if it cannot deliver there), in the person's language; in one
   * statement for the whole step. Reminders that got no row (no reachable chat, an order of one's own) take the
   * ladder's first step one by one: ZNS or e-mail for registry staff.
   */
  private enqueueDeliveries(tx: Pick<Db, "all">, task: DueTask, step: Step, now: Date): number {
    const ofStep = sql`r.task_id = ${task.id} AND r.step IN (${step.key}, ${`summary-${step.key}`})`;
    let written = this.enqueue.lastUsedForMany(
      {
        causeType: "reminder",
        recipients: sql`SELECT r.id AS cause_id, p.user_id AS user_id FROM reminders r JOIN people p ON p.id = r.person_id
          WHERE ${ofStep} AND p.user_id IS NOT NULL`,
        urgent: false,
        notBefore: step.at,
      },
      now,
    );
    const rest = tx.all<{ id: number; user_id: number | null }>(sql`
      SELECT r.id, p.user_id FROM reminders r JOIN people p ON p.id = r.person_id
      WHERE ${ofStep} AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.cause_type = 'reminder' AND o.cause_id = r.id)`);
    for (const r of rest) {
      written += this.enqueue.firstStep({ cause: { type: "reminder", id: r.id }, userId: r.user_id, urgent: false, notBefore: step.at }, now);
    }
    return written;
  }

  private recipients(task: DueTask, step: Step, now: Date): SQL {
    const own = sql`
      SELECT p.ref, p.name, p.role, u.code AS unit, u.name AS unit_name, p.id AS person_id, NULL AS late
      FROM units u JOIN people p ON p.unit_id = u.id AND (
        (u.type = 'school' AND p.role IN ('it_lead', 'school_leader')) OR (u.type = 'office' AND p.role = 'office_staff'))
      WHERE ${this.lateUnitCondition(task, "u")} AND ${this.notSnoozed(task.id, "u", now)}`;
    const summary = (level: "office" | "department") => {
      const under = level === "office" ? sql`x.parent_id = o.id` : sql`1 = 1`;
      return sql`
        SELECT p.ref, p.name, p.role, o.code, o.name, p.id,
          (SELECT ${jsonArrayOf(this.db, sql`x.code`)} FROM units x WHERE ${under} AND x.type = 'school' AND ${this.lateUnitCondition(task, "x")})
        FROM units o JOIN people p ON p.unit_id = o.id AND p.role = ${level === "office" ? "office_staff" : "department_staff"}
        WHERE o.type = ${level} AND EXISTS (SELECT 1 FROM units x WHERE ${under} AND x.type = 'school' AND ${this.lateUnitCondition(task, "x")})`;
    };
    const parts = [own];
    if (step.toOffice) parts.push(summary("office"));
    if (step.toDepartment) parts.push(summary("department"));
    return sql.join(parts, sql` UNION ALL `);
  }
}
