import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { people, plannedSteps, reminderSnoozes, reminders, schoolYears, taskStatuses, taskStatusHistory, tasks, units } from "../db/schema.js";

/**
 * The task board's storage (SQLite): school years, tasks, each unit's status and its history, snoozes, and
 * the one rule of which units a task applies to. No other module writes SQL about tasks.
 */

export type TaskStatus = "todo" | "done" | "not_applicable";

export interface TaskRecord {
  id: number;
  yearId: number;
  key: string;
  section: string | null;
  title: { vi: string; en: string };
  instructions: { vi: string; en: string };
  appliesTo: TaskAudience;
  dueOn: string | null;
  dueNote: { vi: string; en: string } | null;
}

export interface YearRecord {
  id: number;
  name: string;
}

export interface UnitRecord {
  id: number;
  code: string;
  name: string;
  parentId: number | null;
}

export interface OpenUnit {
  code: string;
  name: string;
  /** the code of the unit above (the office, or the Department) */
  office: string | null;
}

export interface StatusRecord {
  status: TaskStatus;
  changedBy: string;
  changedAt: Date;
}

export interface StatusCounts {
  todo: number;
  done: number;
  not_applicable: number;
}

/** A unit as the task matrix shows it: its office is the unit above it (an office is its own group). */
export interface MatrixUnit {
  id: number;
  code: string;
  name: string;
  type: string;
  level: string | null;
  officeCode: string | null;
  officeName: string | null;
}

/** One unit's status for one task it applies to (no status row = "todo"). */
export interface MatrixCell {
  taskId: number;
  unitId: number;
  status: TaskStatus;
}

/** One change of a unit's status for a task. */
export interface HistoryEntry {
  status: TaskStatus;
  /** who, as the audit log records it: "staff:<login>", "token:<id> <name>", "<person> (<ref>)" from the chat */
  by: string;
  /** the console account's name, when `by` is one */
  byName: string | null;
  at: Date;
  note: string | null;
}

export interface PersonRecord {
  id: number;
  ref: string;
  name: string;
  role: "it_lead" | "school_leader" | "office_staff" | "department_staff";
  unitId: number;
  unitCode: string;
  unitName: string;
  unitType: string;
  unitLevel: string | null;
}

export interface ReminderRecord {
  id: number;
  taskId: number;
  unitId: number;
  personId: number;
  /** JSON list of late school codes for office and Department summaries; null for a school's own reminder */
  schools: string | null;
}

export interface TaskChange {
  dueOn?: string | null | undefined;
  title?: { vi: string; en: string } | undefined;
  instructions?: { vi: string; en: string } | undefined;
}

/** Who a task is for, as the task file says (the Department's `if_chosen` choices resolved when the year opened). */
export interface TaskAudience {
  types: string[];
  /** for schools only; null = every level */
  levels: string[] | null;
}

const list = (values: string[]): SQL => sql.join(values.map((v) => sql`${v}`), sql`, `);

/**
 * THE rule of who a task is for: the unit's type is one of the task's types and, for a school, its level is
 * one of the task's levels (no levels: every level). `unit` is the SQL alias of a units row. The values are
 * inlined as parameters so SQLite can use them as plain IN lists in the planner's bulk inserts.
 */
export function taskAppliesToUnit(audience: TaskAudience, unit: string): SQL {
  const u = sql.raw(unit);
  if (audience.types.length === 0) return sql`FALSE`;
  const levels = audience.levels ? sql` AND (${u}.type != 'school' OR ${u}.level IN (${list(audience.levels)}))` : sql``;
  return sql`(${u}.type IN (${list(audience.types)})${levels})`;
}

/** Units (alias `unit`) the task applies to that have not finished it: no status row, or "todo". */
export function unitOwesTask(task: { id: number; appliesTo: TaskAudience }, unit: string): SQL {
  return sql`${taskAppliesToUnit(task.appliesTo, unit)}
    AND NOT EXISTS (SELECT 1 FROM task_statuses s WHERE s.task_id = ${task.id} AND s.unit_id = ${sql.raw(unit)}.id AND s.status IN ('done', 'not_applicable'))`;
}

/** Limits a units alias to the given codes (an office admin's units); no codes given = no limit. */
function inCodes(unit: string, codes: ReadonlySet<string> | undefined): SQL {
  if (!codes) return sql``;
  if (codes.size === 0) return sql` AND FALSE`;
  return sql` AND ${sql.raw(unit)}.code IN (${sql.join([...codes].map((c) => sql`${c}`), sql`, `)})`;
}

export interface NewTask {
  key: string;
  section: string | null;
  title: { vi: string; en: string };
  instructions: { vi: string; en: string };
  appliesTo: { types: string[]; levels: string[] | null };
  dueOn: string | null;
  dueNote: { vi: string; en: string } | null;
}

/** What the task board needs from storage; SQLite today, another engine later. */
export interface TaskStore {
  openYear(year: { name: string; startsOn: string; endsOn: string }, rows: NewTask[], now: Date): { id: number; created: boolean };
  yearByName(name: string): YearRecord | undefined;
  /** every school year, oldest first */
  years(): (YearRecord & { startsOn: string; endsOn: string })[];
  yearOn(today: string): YearRecord | undefined;
  tasksOf(yearId: number): TaskRecord[];
  task(id: number): TaskRecord | undefined;
  unitByCode(code: string): UnitRecord | undefined;
  unitById(id: number): UnitRecord | undefined;
  statusCounts(yearId: number, codes?: ReadonlySet<string>): Map<number, StatusCounts>;
  /** Every (task, unit) pair of the year the task applies to (within `codes`), with the unit's status, and those units. */
  matrix(yearId: number, codes?: ReadonlySet<string>): { units: MatrixUnit[]; cells: MatrixCell[] };
  /** A unit's status changes for a task, newest first. */
  history(taskId: number, unitId: number): HistoryEntry[];
  unitsOwing(taskId: number, codes?: ReadonlySet<string>): OpenUnit[];
  tasksOwedBy(unitId: number, today: string): TaskRecord[];
  status(taskId: number, unitId: number): StatusRecord | undefined;
  setStatus(change: { taskId: number; unitId: number; status: TaskStatus; by: string; note: string | null; at: Date }): void;
  updateTask(id: number, change: TaskChange, at: Date): void;
  personOfUser(userId: number): PersonRecord | undefined;
  reminder(id: number): ReminderRecord | undefined;
  unitNames(codes: string[], limit: number): string[];
  /** `plan` gets the id of the reminder that comes back, inside the same transaction, to enqueue it */
  snooze(reminder: ReminderRecord, until: Date, step: string, at: Date, plan: (reminderId: number) => void): void;
}

type TaskRow = typeof tasks.$inferSelect;

function toRecord(t: TaskRow): TaskRecord {
  return {
    id: t.id,
    yearId: t.yearId,
    key: t.key,
    section: t.section,
    title: { vi: t.titleVi, en: t.titleEn },
    instructions: { vi: t.instructionsVi, en: t.instructionsEn },
    appliesTo: { types: JSON.parse(t.appliesTypes) as string[], levels: t.appliesLevels ? (JSON.parse(t.appliesLevels) as string[]) : null },
    dueOn: t.dueOn,
    dueNote: t.dueNoteVi !== null && t.dueNoteEn !== null ? { vi: t.dueNoteVi, en: t.dueNoteEn } : null,
  };
}

export class SqliteTaskStore implements TaskStore {
  constructor(private readonly db: Db) {}

  openYear(year: { name: string; startsOn: string; endsOn: string }, rows: NewTask[], now: Date): { id: number; created: boolean } {
    return this.db.transaction((tx) => {
      const existing = tx.select({ id: schoolYears.id }).from(schoolYears).where(eq(schoolYears.name, year.name)).get();
      if (existing) return { id: existing.id, created: false };
      const { id } = tx
        .insert(schoolYears)
        .values({ name: year.name, startsOn: year.startsOn, endsOn: year.endsOn, createdAt: now.getTime() })
        .returning({ id: schoolYears.id })
        .get();
      for (const t of rows) {
        tx.insert(tasks)
          .values({
            yearId: id,
            key: t.key,
            section: t.section,
            titleVi: t.title.vi,
            titleEn: t.title.en,
            instructionsVi: t.instructions.vi,
            instructionsEn: t.instructions.en,
            appliesTypes: JSON.stringify(t.appliesTo.types),
            appliesLevels: t.appliesTo.levels ? JSON.stringify(t.appliesTo.levels) : null,
            dueOn: t.dueOn,
            dueNoteVi: t.dueNote?.vi ?? null,
            dueNoteEn: t.dueNote?.en ?? null,
            updatedAt: now.getTime(),
          })
          .run();
      }
      return { id, created: true };
    });
  }

  years(): (YearRecord & { startsOn: string; endsOn: string })[] {
    return this.db
      .select({ id: schoolYears.id, name: schoolYears.name, startsOn: schoolYears.startsOn, endsOn: schoolYears.endsOn })
      .from(schoolYears)
      .orderBy(schoolYears.startsOn)
      .all();
  }

  yearByName(name: string): YearRecord | undefined {
    return this.db.select({ id: schoolYears.id, name: schoolYears.name }).from(schoolYears).where(eq(schoolYears.name, name)).get();
  }

  /** The school year `today` (YYYY-MM-DD) falls in. */
  yearOn(today: string): YearRecord | undefined {
    return this.db
      .select({ id: schoolYears.id, name: schoolYears.name })
      .from(schoolYears)
      .where(and(sql`${schoolYears.startsOn} <= ${today}`, sql`${schoolYears.endsOn} >= ${today}`))
      .get();
  }

  tasksOf(yearId: number): TaskRecord[] {
    return this.db.select().from(tasks).where(eq(tasks.yearId, yearId)).orderBy(tasks.dueOn, tasks.id).all().map(toRecord);
  }

  task(id: number): TaskRecord | undefined {
    const row = this.db.select().from(tasks).where(eq(tasks.id, id)).get();
    return row ? toRecord(row) : undefined;
  }

  unitByCode(code: string): UnitRecord | undefined {
    return this.db.select({ id: units.id, code: units.code, name: units.name, parentId: units.parentId }).from(units).where(eq(units.code, code)).get();
  }

  unitById(id: number): UnitRecord | undefined {
    return this.db.select({ id: units.id, code: units.code, name: units.name, parentId: units.parentId }).from(units).where(eq(units.id, id)).get();
  }

  /** Per task of the year, how many of the units it applies to (within `codes`) are in each status. */
  statusCounts(yearId: number, codes?: ReadonlySet<string>): Map<number, StatusCounts> {
    const counts = new Map<number, StatusCounts>();
    for (const task of this.tasksOf(yearId)) {
      const c: StatusCounts = { todo: 0, done: 0, not_applicable: 0 };
      const rows = this.db.all<{ status: TaskStatus; n: number }>(sql`
        SELECT COALESCE(s.status, 'todo') AS status, count(*) AS n
        FROM units u LEFT JOIN task_statuses s ON s.task_id = ${task.id} AND s.unit_id = u.id
        WHERE ${taskAppliesToUnit(task.appliesTo, "u")}${inCodes("u", codes)}
        GROUP BY COALESCE(s.status, 'todo')`);
      for (const r of rows) c[r.status] += r.n;
      counts.set(task.id, c);
    }
    return counts;
  }

  /**
   * The year's matrix through the same rule as the counts: a pair exists only where `taskAppliesToUnit` says
   * the task is for the unit, and a unit without a status row for it is "todo". One query per year.
   */
  matrix(yearId: number, codes?: ReadonlySet<string>): { units: MatrixUnit[]; cells: MatrixCell[] } {
    const all = this.tasksOf(yearId);
    if (all.length === 0) return { units: [], cells: [] };
    const rows = this.db.all<{ task_id: number; unit_id: number; status: TaskStatus }>(
      sql.join(
        all.map(
          (t) => sql`SELECT CAST(${t.id} AS INTEGER) AS task_id, u.id AS unit_id, COALESCE(s.status, 'todo') AS status
            FROM units u LEFT JOIN task_statuses s ON s.task_id = ${t.id} AND s.unit_id = u.id
            WHERE ${taskAppliesToUnit(t.appliesTo, "u")}${inCodes("u", codes)}`,
        ),
        sql` UNION ALL `,
      ),
    );
    const unitIds = new Set(rows.map((r) => r.unit_id));
    const units = this.db
      .all<{ id: number; code: string; name: string; type: string; level: string | null; office_code: string | null; office_name: string | null }>(
        sql`SELECT u.id, u.code, u.name, u.type, u.level,
              CASE WHEN u.type = 'office' THEN u.code WHEN p.type = 'office' THEN p.code ELSE NULL END AS office_code,
              CASE WHEN u.type = 'office' THEN u.name WHEN p.type = 'office' THEN p.name ELSE NULL END AS office_name
            FROM units u LEFT JOIN units p ON p.id = u.parent_id
            WHERE 1 = 1${inCodes("u", codes)}`,
      )
      .filter((u) => unitIds.has(u.id))
      .map((u) => ({ id: u.id, code: u.code, name: u.name, type: u.type, level: u.level, officeCode: u.office_code, officeName: u.office_name }));
    return { units, cells: rows.map((r) => ({ taskId: r.task_id, unitId: r.unit_id, status: r.status })) };
  }

  /** Newest first; a console account's change ("staff:<login>") also gives the account's name. */
  history(taskId: number, unitId: number): HistoryEntry[] {
    return this.db
      .all<{ status: TaskStatus; changed_by: string; at: number; note: string | null; name: string | null }>(
        sql`SELECT h.status, h.changed_by, h.at, h.note, a.name
          FROM task_status_history h LEFT JOIN staff_accounts a ON h.changed_by = 'staff:' || a.login
          WHERE h.task_id = ${taskId} AND h.unit_id = ${unitId}
          ORDER BY h.at DESC, h.id DESC`,
      )
      .map((h) => ({ status: h.status, by: h.changed_by, byName: h.name, at: new Date(h.at), note: h.note }));
  }

  /** The units (within `codes`) the task applies to that have not finished it, by office then code. */
  unitsOwing(taskId: number, codes?: ReadonlySet<string>): OpenUnit[] {
    const task = this.task(taskId);
    if (!task) return [];
    return this.db.all<OpenUnit>(sql`
      SELECT u.code, u.name, parent.code AS office
      FROM units u LEFT JOIN units parent ON parent.id = u.parent_id
      WHERE ${unitOwesTask(task, "u")}${inCodes("u", codes)}
      ORDER BY parent.code, u.code`);
  }

  /** The tasks of the year `today` falls in that apply to the unit and are still to do, soonest first. */
  tasksOwedBy(unitId: number, today: string): TaskRecord[] {
    const year = this.yearOn(today);
    const all = year ? this.tasksOf(year.id) : [];
    if (all.length === 0) return [];
    const owed = this.db.all<{ id: number }>(
      sql.join(
        all.map((t) => sql`SELECT CAST(${t.id} AS INTEGER) AS id FROM units u WHERE u.id = ${unitId} AND ${unitOwesTask(t, "u")}`),
        sql` UNION ALL `,
      ),
    );
    const ids = new Set(owed.map((r) => r.id));
    return all
      .filter((t) => ids.has(t.id))
      .sort((a, b) => (a.dueOn === b.dueOn ? a.id - b.id : a.dueOn === null ? 1 : b.dueOn === null ? -1 : a.dueOn < b.dueOn ? -1 : 1));
  }

  status(taskId: number, unitId: number): StatusRecord | undefined {
    const row = this.db
      .select()
      .from(taskStatuses)
      .where(and(eq(taskStatuses.taskId, taskId), eq(taskStatuses.unitId, unitId)))
      .get();
    return row ? { status: row.status, changedBy: row.changedBy, changedAt: new Date(row.changedAt) } : undefined;
  }

  /** Records a unit's status and its history; once done or not applicable, what was queued for it is cancelled. */
  setStatus(change: { taskId: number; unitId: number; status: TaskStatus; by: string; note: string | null; at: Date }): void {
    const { taskId, unitId, status, by, note } = change;
    const at = change.at.getTime();
    this.db.transaction((tx) => {
      tx.insert(taskStatuses)
        .values({ taskId, unitId, status, changedBy: by, changedAt: at, note })
        .onConflictDoUpdate({ target: [taskStatuses.taskId, taskStatuses.unitId], set: { status, changedBy: by, changedAt: at, note } })
        .run();
      tx.insert(taskStatusHistory).values({ taskId, unitId, status, changedBy: by, note, at }).run();
      if (status !== "todo") cancelQueuedReminders(tx, taskId, unitId, status, at);
    });
  }

  /** Changes a task's date or texts; a new date means new steps, so the planner looks at the task afresh. */
  updateTask(id: number, change: TaskChange, at: Date): void {
    this.db.transaction((tx) => {
      tx.update(tasks)
        .set({
          ...(change.dueOn !== undefined ? { dueOn: change.dueOn } : {}),
          ...(change.title ? { titleVi: change.title.vi, titleEn: change.title.en } : {}),
          ...(change.instructions ? { instructionsVi: change.instructions.vi, instructionsEn: change.instructions.en } : {}),
          updatedAt: at.getTime(),
        })
        .where(eq(tasks.id, id))
        .run();
      if (change.dueOn !== undefined) tx.delete(plannedSteps).where(eq(plannedSteps.taskId, id)).run();
    });
  }

  /** The registry person linked to this chat user, with their unit. */
  personOfUser(userId: number): PersonRecord | undefined {
    const row = this.db.select({ p: people, u: units }).from(people).innerJoin(units, eq(units.id, people.unitId)).where(eq(people.userId, userId)).get();
    if (!row) return undefined;
    return {
      id: row.p.id,
      ref: row.p.ref,
      name: row.p.name,
      role: row.p.role,
      unitId: row.u.id,
      unitCode: row.u.code,
      unitName: row.u.name,
      unitType: row.u.type,
      unitLevel: row.u.level,
    };
  }

  reminder(id: number): ReminderRecord | undefined {
    return this.db
      .select({ id: reminders.id, taskId: reminders.taskId, unitId: reminders.unitId, personId: reminders.personId, schools: reminders.schools })
      .from(reminders)
      .where(eq(reminders.id, id))
      .get();
  }

  /** Names of the units with these codes (at most `limit`). */
  unitNames(codes: string[], limit: number): string[] {
    if (codes.length === 0) return [];
    return this.db.select({ name: units.name }).from(units).where(inArray(units.code, codes.slice(0, limit))).all().map((u) => u.name);
  }

  /**
   * Pauses this person's reminders for the reminder's task and unit until `until`, and plans the one that
   * comes back then (step `step`, unique per day, so pressing twice plans it once).
   */
  snooze(reminder: ReminderRecord, until: Date, step: string, at: Date, plan: (reminderId: number) => void): void {
    this.db.transaction((tx) => {
      tx.insert(reminderSnoozes)
        .values({ taskId: reminder.taskId, unitId: reminder.unitId, personId: reminder.personId, until: until.getTime() })
        .onConflictDoUpdate({ target: [reminderSnoozes.taskId, reminderSnoozes.unitId, reminderSnoozes.personId], set: { until: until.getTime() } })
        .run();
      tx.run(sql`
        INSERT INTO reminders (task_id, unit_id, person_id, step, schools, scheduled_for, created_at)
        VALUES (${reminder.taskId}, ${reminder.unitId}, ${reminder.personId}, ${step}, ${reminder.schools}, ${until.getTime()}, ${at.getTime()})
        ON CONFLICT DO NOTHING`);
      const back = tx
        .select({ id: reminders.id })
        .from(reminders)
        .where(and(eq(reminders.taskId, reminder.taskId), eq(reminders.unitId, reminder.unitId), eq(reminders.personId, reminder.personId), eq(reminders.step, step)))
        .get();
      if (back) plan(back.id);
    });
  }
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Whatever reminders for this task and unit are still waiting in the outbox will not go out. */
function cancelQueuedReminders(tx: Tx, taskId: number, unitId: number, status: Exclude<TaskStatus, "todo">, at: number): void {
  tx.run(sql`
    UPDATE outbox SET status = 'cancelled', reason = ${status === "done" ? "task_done" : "task_not_applicable"}, done_at = ${at}
    WHERE cause_type = 'reminder' AND status = 'queued'
      AND cause_id IN (SELECT id FROM reminders WHERE task_id = ${taskId} AND unit_id = ${unitId})`);
}
