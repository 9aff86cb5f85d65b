import type { Clock, StaffPerson, StaffTask, TaskBoardPort } from "../core/ports.js";
import { localIsoDate } from "../core/time/zoned-time.js";
import type { Locale } from "../core/types.js";
import { allowedTime, daysBetween, type ReminderSettings } from "../reminders/steps.js";
import type { Enqueue } from "../outbox/enqueue.js";
import { openYearIn, type TaskDefinition } from "./school-year.js";
import { cellCode, type TaskMatrix } from "./task-matrix.js";
import type { HistoryEntry, OpenUnit, PersonRecord, StatusCounts, TaskChange, TaskRecord, TaskStatus, TaskStore } from "./task-store.js";

export type { TaskStatus } from "./task-store.js";

export interface LinkedPerson extends StaffPerson {
  ref: string;
  unitCode: string;
  role: PersonRecord["role"];
}

export type DoneOutcome =
  | { ok: true; task: string; unit: string }
  | { ok: false; reason: "not_linked" | "forbidden" | "unknown" }
  | { ok: false; reason: "already"; by: string; at: Date };

/** A task as the admin list shows it: every count is over the units the task applies to (no row = to do). */
export interface TaskSummary {
  id: number;
  key: string;
  section: string | null;
  title: { vi: string; en: string };
  dueOn: string | null;
  appliesTo: { types: string[]; levels: string[] | null };
  statuses: StatusCounts;
  /** units still to do after the due date */
  late: number;
}

export interface LateList {
  task: string;
  dueOn: string | null;
  daysLate?: number;
  late: OpenUnit[];
}

export type StatusOutcome =
  | { ok: true; task: string; unit: string; status: TaskStatus }
  | { ok: false; reason: "unknown" | "out_of_scope" };

/** An office admin sees and changes only these unit codes; undefined = the whole province. */
export type UnitScope = ReadonlySet<string> | undefined;

/**
 * The school year's task board: which units a task applies to (one rule, in the store), each unit's status
 * with its history (done, not applicable, back to do), snoozing a reminder, and the counts everyone sees.
 * The chat (/tasks, the done and snooze buttons, "when is the report due"), the admin API and the reminder
 * planner all read tasks through here or through the same rule.
 */
export class TaskBoard implements TaskBoardPort {
  constructor(
    private readonly store: TaskStore,
    private readonly clock: Clock,
    private readonly settings: ReminderSettings,
    private readonly enqueue: Enqueue,
  ) {}

  /** Today's date in the Department's time zone, yyyy-MM-dd. */
  today(): string {
    return localIsoDate(this.clock.now(), this.settings.timeZone);
  }

  // ---- the chat ----

  personOf(userId: number): LinkedPerson | undefined {
    return this.store.personOfUser(userId);
  }

  /** The person's own unit's tasks of the current school year that are still to do, soonest first. */
  openTasks(person: StaffPerson, locale: Locale): StaffTask[] {
    return this.store.tasksOwedBy(person.unitId, this.today()).map((t) => ({
      taskId: t.id,
      unitId: person.unitId,
      title: t.title[locale],
      dueOn: t.dueOn,
      dueNote: t.dueNote ? t.dueNote[locale] : null,
    }));
  }

  /** Marks a task done for a unit, if this person may: the unit's own people, its office, or the Department. */
  markDone(userId: number, taskId: number, unitId: number, at: Date): DoneOutcome {
    const person = this.store.personOfUser(userId);
    if (!person) return { ok: false, reason: "not_linked" };
    const target = this.store.unitById(unitId);
    const task = this.store.task(taskId);
    if (!target || !task) return { ok: false, reason: "unknown" };
    const allowed =
      person.unitId === target.id ||
      (person.role === "office_staff" && target.parentId === person.unitId) ||
      person.role === "department_staff";
    if (!allowed) return { ok: false, reason: "forbidden" };
    const current = this.store.status(taskId, unitId);
    if (current?.status === "done") return { ok: false, reason: "already", by: current.changedBy, at: current.changedAt };
    this.store.setStatus({ taskId, unitId, status: "done", by: `${person.name} (${person.ref})`, note: null, at });
    return { ok: true, task: task.title.vi, unit: target.name };
  }

  /** "Remind me tomorrow": this person's reminders for that task and unit pause a day, then one comes back. */
  snooze(userId: number, reminderId: number, at: Date): { until: Date } | undefined {
    const person = this.store.personOfUser(userId);
    const reminder = this.store.reminder(reminderId);
    if (!person || !reminder || reminder.personId !== person.id) return undefined;
    const until = allowedTime(new Date(at.getTime() + 86_400_000), this.settings);
    // The reminder comes back on the channel the person used last, in their language (the outbox's one rule).
    this.store.snooze(reminder, until, `snooze-${localIsoDate(until, this.settings.timeZone)}`, at, (id) =>
      this.enqueue.person({ cause: { type: "reminder", id }, userId, rule: { lastUsed: true }, urgent: false, notBefore: until }, at),
    );
    return { until };
  }

  // ---- the admin API ----

  /** The year's tasks (by name, or the current one) with their counts within `scope`. */
  list(yearName: string | undefined, scope: UnitScope): { year: string; tasks: TaskSummary[] } | undefined {
    const today = this.today();
    const year = yearName ? this.store.yearByName(yearName) : this.store.yearOn(today);
    if (!year) return undefined;
    const counts = this.store.statusCounts(year.id, scope);
    return {
      year: year.name,
      tasks: this.store.tasksOf(year.id).map((t) => {
        const statuses = counts.get(t.id) ?? { todo: 0, done: 0, not_applicable: 0 };
        return {
          id: t.id,
          key: t.key,
          section: t.section,
          title: t.title,
          dueOn: t.dueOn,
          appliesTo: t.appliesTo,
          statuses,
          late: t.dueOn !== null && t.dueOn < today ? statuses.todo : 0,
        };
      }),
    };
  }

  /** Who has not finished the task after its date (within `scope`); nobody before the date. */
  late(taskId: number, scope: UnitScope): LateList | undefined {
    const task = this.store.task(taskId);
    if (!task) return undefined;
    const today = this.today();
    if (!task.dueOn || task.dueOn >= today) return { task: task.key, dueOn: task.dueOn, late: [] };
    return { task: task.key, dueOn: task.dueOn, daysLate: daysBetween(task.dueOn, today), late: this.store.unitsOwing(task.id, scope) };
  }

  /**
   * The year's tasks × units within `scope`: each row a unit some task applies to, its cells one letter per
   * task (see task-matrix.ts), and each task's counts from the very same cells, so the numbers and the grid
   * always agree with the one rule of who a task is for.
   */
  matrix(yearName: string | undefined, scope: UnitScope): TaskMatrix | undefined {
    const today = this.today();
    const year = yearName ? this.store.yearByName(yearName) : this.store.yearOn(today);
    if (!year) return undefined;
    const tasks = this.store.tasksOf(year.id);
    const { units, cells } = this.store.matrix(year.id, scope);
    const column = new Map(tasks.map((t, i) => [t.id, i]));
    const rowOf = new Map(units.map((u, i) => [u.id, i]));
    const grid = units.map(() => Array<string>(tasks.length).fill("-"));
    const counts = tasks.map((): StatusCounts => ({ todo: 0, done: 0, not_applicable: 0 }));
    for (const c of cells) {
      const i = column.get(c.taskId);
      const r = rowOf.get(c.unitId);
      if (i === undefined || r === undefined) continue;
      (grid[r] as string[])[i] = cellCode[c.status];
      (counts[i] as StatusCounts)[c.status]++;
    }
    return {
      year: year.name,
      today,
      tasks: tasks.map((t, i) => {
        const statuses = counts[i] as StatusCounts;
        return {
          id: t.id,
          key: t.key,
          section: t.section,
          title: t.title,
          dueOn: t.dueOn,
          appliesTo: t.appliesTo,
          statuses,
          applicable: statuses.todo + statuses.done + statuses.not_applicable,
          late: t.dueOn !== null && t.dueOn < today ? statuses.todo : 0,
        };
      }),
      units: units.map((u, r) => ({
        code: u.code,
        name: u.name,
        type: u.type,
        level: u.level,
        office: u.officeCode,
        officeName: u.officeName,
        cells: (grid[r] as string[]).join(""),
      })),
    };
  }

  /** A unit's status changes for a task, newest first; undefined for an unknown task or unit, or one outside `scope`. */
  history(taskId: number, unitCode: string, scope: UnitScope): { task: string; unit: string; unitName: string; status: TaskStatus; entries: HistoryEntry[] } | undefined {
    const unit = this.store.unitByCode(unitCode);
    const task = this.store.task(taskId);
    if (!unit || !task || (scope && !scope.has(unit.code))) return undefined;
    return {
      task: task.key,
      unit: unit.code,
      unitName: unit.name,
      status: this.store.status(taskId, unit.id)?.status ?? "todo",
      entries: this.store.history(taskId, unit.id),
    };
  }

  /** The reminder settings the planner runs with (a date change's dry run needs the same). */
  reminderSettings(): ReminderSettings {
    return this.settings;
  }

  task(taskId: number): TaskRecord | undefined {
    return this.store.task(taskId);
  }

  update(taskId: number, change: TaskChange): TaskRecord | undefined {
    const task = this.store.task(taskId);
    if (!task) return undefined;
    this.store.updateTask(taskId, change, this.clock.now());
    return task;
  }

  /** Sets a unit's status (todo, done, not applicable) with a note; every change is kept in the history. */
  setStatus(taskId: number, unitCode: string, status: TaskStatus, note: string | null, by: string, scope: UnitScope): StatusOutcome {
    const unit = this.store.unitByCode(unitCode);
    const task = this.store.task(taskId);
    if (!unit || !task) return { ok: false, reason: "unknown" };
    if (scope && !scope.has(unit.code)) return { ok: false, reason: "out_of_scope" };
    this.store.setStatus({ taskId, unitId: unit.id, status, by, note, at: this.clock.now() });
    return { ok: true, task: task.key, unit: unit.code, status };
  }

  /** Creates a school year and its tasks from the task file; an existing year is left as it is. Throws on a bad name or date. */
  openYear(name: string, definitions: TaskDefinition[]): { id: number; created: boolean } {
    return openYearIn(this.store, name, definitions, this.clock.now());
  }
}
