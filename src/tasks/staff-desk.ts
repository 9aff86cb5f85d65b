import { and, eq, inArray, sql } from "drizzle-orm";
import type { Clock, Translator } from "../core/ports.js";
import { BUTTON_PREFIX } from "../core/answer-book.js";
import { localIsoDate } from "../core/time/zoned-time.js";
import type { Button, Locale, OutboundMessage, Span } from "../core/types.js";
import type { Db } from "../db/database.js";
import { outbox, people, reminderSnoozes, reminders, taskStatuses, taskStatusHistory, tasks, units } from "../db/schema.js";
import { allowedTime, daysBetween, type ReminderSettings } from "../reminders/steps.js";
import { Linking, looksLikeLinkCode, type LinkOutcome, type UnlinkOutcome } from "../registry/linking.js";
import type { Channel } from "../core/types.js";
import type { Enqueue } from "../outbox/enqueue.js";

export interface LinkedPerson {
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

export interface OpenTask {
  taskId: number;
  unitId: number;
  key: string;
  title: string;
  dueOn: string | null;
  dueNote: string | null;
}

export type DoneOutcome =
  | { ok: true; task: string; unit: string }
  | { ok: false; reason: "not_linked" | "forbidden" | "unknown" }
  | { ok: false; reason: "already"; by: string; at: Date };

/**
 * What the chat offers a linked school IT lead, leader, office or Department staff member: linking, their
 * open tasks, marking one done, snoozing a reminder, and the reminder texts themselves.
 */
export class StaffDesk {
  private readonly linking: Linking;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly translator: Translator,
    private readonly settings: ReminderSettings,
    private readonly enqueue: Enqueue,
  ) {
    this.linking = new Linking(db);
  }

  looksLikeCode(text: string): boolean {
    return looksLikeLinkCode(text);
  }

  link(code: string, channel: Channel, address: string, userId: number, at: Date): LinkOutcome {
    return this.linking.redeem(code, channel, address, userId, at);
  }

  joinCode(userId: number, at: Date): { code: string; validMinutes: number } | undefined {
    return this.linking.issueJoin(userId, at);
  }

  unlink(userId: number, channel: Channel, address: string, at: Date): UnlinkOutcome | undefined {
    return this.linking.unlink(userId, channel, address, at);
  }

  personOf(userId: number): LinkedPerson | undefined {
    const row = this.db
      .select({ p: people, u: units })
      .from(people)
      .innerJoin(units, eq(units.id, people.unitId))
      .where(eq(people.userId, userId))
      .get();
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

  /** The person's own unit's tasks of the current school year that are still to do, soonest first. */
  openTasks(person: LinkedPerson, locale: Locale): OpenTask[] {
    const today = localIsoDate(this.clock.now(), this.settings.timeZone);
    const rows = this.db.all<{
      id: number;
      key: string;
      title_vi: string;
      title_en: string;
      due_on: string | null;
      note_vi: string | null;
      note_en: string | null;
      applies_types: string;
      applies_levels: string | null;
    }>(sql`
      SELECT t.id, t.key, t.title_vi, t.title_en, t.due_on, t.due_note_vi AS note_vi, t.due_note_en AS note_en, t.applies_types, t.applies_levels
      FROM tasks t JOIN school_years y ON y.id = t.year_id
      WHERE y.starts_on <= ${today} AND y.ends_on >= ${today}
        AND NOT EXISTS (SELECT 1 FROM task_statuses s WHERE s.task_id = t.id AND s.unit_id = ${person.unitId} AND s.status IN ('done', 'not_applicable'))
      ORDER BY t.due_on IS NULL, t.due_on, t.id`);
    return rows
      .filter((t) => {
        const types = JSON.parse(t.applies_types) as string[];
        const levels = t.applies_levels ? (JSON.parse(t.applies_levels) as string[]) : null;
        return types.includes(person.unitType) && (person.unitType !== "school" || !levels || levels.includes(person.unitLevel ?? ""));
      })
      .map((t) => ({
        taskId: t.id,
        unitId: person.unitId,
        key: t.key,
        title: locale === "en" ? t.title_en : t.title_vi,
        dueOn: t.due_on,
        dueNote: locale === "en" ? t.note_en : t.note_vi,
      }));
  }

  /** Marks a task done for a unit, if this person may: the unit's own people, its office, or the Department. */
  markDone(userId: number, taskId: number, unitId: number, at: Date): DoneOutcome {
    const person = this.personOf(userId);
    if (!person) return { ok: false, reason: "not_linked" };
    const target = this.db.select().from(units).where(eq(units.id, unitId)).get();
    const task = this.db.select().from(tasks).where(eq(tasks.id, taskId)).get();
    if (!target || !task) return { ok: false, reason: "unknown" };
    const allowed =
      person.unitId === target.id ||
      (person.role === "office_staff" && target.parentId === person.unitId) ||
      person.role === "department_staff";
    if (!allowed) return { ok: false, reason: "forbidden" };
    const current = this.db
      .select()
      .from(taskStatuses)
      .where(and(eq(taskStatuses.taskId, taskId), eq(taskStatuses.unitId, unitId)))
      .get();
    if (current?.status === "done") return { ok: false, reason: "already", by: current.changedBy, at: new Date(current.changedAt) };
    const by = `${person.name} (${person.ref})`;
    this.db.transaction((tx) => {
      tx.insert(taskStatuses)
        .values({ taskId, unitId, status: "done", changedBy: by, changedAt: at.getTime() })
        .onConflictDoUpdate({ target: [taskStatuses.taskId, taskStatuses.unitId], set: { status: "done", changedBy: by, changedAt: at.getTime(), note: null } })
        .run();
      tx.insert(taskStatusHistory).values({ taskId, unitId, status: "done", changedBy: by, at: at.getTime() }).run();
      // Whatever reminders for this task and school are still waiting will not go out.
      const pending = tx
        .select({ id: reminders.id })
        .from(reminders)
        .where(and(eq(reminders.taskId, taskId), eq(reminders.unitId, unitId)))
        .all()
        .map((r) => r.id);
      if (pending.length > 0) {
        tx.update(outbox)
          .set({ status: "cancelled", reason: "task_done", doneAt: at.getTime() })
          .where(and(eq(outbox.causeType, "reminder"), inArray(outbox.causeId, pending), eq(outbox.status, "queued")))
          .run();
      }
    });
    return { ok: true, task: task.titleVi, unit: target.name };
  }

  /** "Remind me tomorrow": this person's reminders for that task and school pause a day, then one comes back. */
  snooze(userId: number, reminderId: number, at: Date): { until: Date } | undefined {
    const person = this.personOf(userId);
    const reminder = this.db.select().from(reminders).where(eq(reminders.id, reminderId)).get();
    if (!person || !reminder || reminder.personId !== person.id) return undefined;
    const until = allowedTime(new Date(at.getTime() + 86_400_000), this.settings);
    const step = `snooze-${localIsoDate(until, this.settings.timeZone)}`;
    this.db.transaction((tx) => {
      tx.insert(reminderSnoozes)
        .values({ taskId: reminder.taskId, unitId: reminder.unitId, personId: person.id, until: until.getTime() })
        .onConflictDoUpdate({ target: [reminderSnoozes.taskId, reminderSnoozes.unitId, reminderSnoozes.personId], set: { until: until.getTime() } })
        .run();
      tx.run(sql`
        INSERT OR IGNORE INTO reminders (task_id, unit_id, person_id, step, schools, scheduled_for, created_at)
        VALUES (${reminder.taskId}, ${reminder.unitId}, ${person.id}, ${step}, ${reminder.schools}, ${until.getTime()}, ${at.getTime()})`);
      const snoozed = tx
        .select({ id: reminders.id })
        .from(reminders)
        .where(and(eq(reminders.taskId, reminder.taskId), eq(reminders.unitId, reminder.unitId), eq(reminders.personId, person.id), eq(reminders.step, step)))
        .get();
      if (snoozed) {
        this.enqueue.person({ cause: { type: "reminder", id: snoozed.id }, userId, rule: { lastUsed: true }, urgent: false, notBefore: until }, at);
      }
    });
    return { until };
  }

  /** The text of a reminder outbox row, in the recipient's language, or undefined when it is moot. */
  reminderMessage(reminderId: number, locale: Locale): OutboundMessage | undefined {
    const row = this.db
      .select({ r: reminders, t: tasks, u: units })
      .from(reminders)
      .innerJoin(tasks, eq(tasks.id, reminders.taskId))
      .innerJoin(units, eq(units.id, reminders.unitId))
      .where(eq(reminders.id, reminderId))
      .get();
    if (!row || !row.t.dueOn) return undefined;
    const t = (key: string, vars?: Record<string, string | number>) => this.translator.t(`reminder.${key}`, locale, vars);
    const today = localIsoDate(this.clock.now(), this.settings.timeZone);
    const days = daysBetween(today, row.t.dueOn);
    const when = days > 0 ? t("days_left", { count: days }) : days === 0 ? t("due_today") : t("days_late", { count: -days });
    const title = locale === "en" ? row.t.titleEn : row.t.titleVi;
    const due = formatDate(row.t.dueOn);
    const lines: Span[][] = [[{ text: `⏰ ${t("heading")}: `, bold: true }, { text: title, bold: true }]];
    if (row.r.schools !== null) {
      const codes = JSON.parse(row.r.schools) as string[];
      const names = codes.length
        ? this.db.select({ name: units.name }).from(units).where(inArray(units.code, codes.slice(0, 40))).all().map((u) => u.name)
        : [];
      lines.push([{ text: t("summary", { count: codes.length, due, when }) }], []);
      for (const name of names) lines.push([{ text: `• ${name}` }]);
      if (codes.length > names.length) lines.push([{ text: t("and_more", { count: codes.length - names.length }) }]);
      return { text: { lines }, buttons: [] };
    }
    lines.push([{ text: `${t("unit")}: ` }, { text: row.u.name }]);
    lines.push([{ text: `${t("due")}: ${due} (${when})` }], []);
    lines.push([{ text: locale === "en" ? row.t.instructionsEn : row.t.instructionsVi }]);
    const buttons: Button[] = [
      { label: t("done_button"), payload: `${BUTTON_PREFIX}done:${row.t.id}:${row.u.id}` },
      { label: t("snooze_button"), payload: `${BUTTON_PREFIX}snooze:${row.r.id}` },
      { label: t("help_button"), payload: `${BUTTON_PREFIX}human_handoff` },
    ];
    return { text: { lines }, buttons };
  }
}

export function formatDate(isoDate: string): string {
  const [y, m, d] = isoDate.split("-");
  return `${d}/${m}/${y}`;
}
