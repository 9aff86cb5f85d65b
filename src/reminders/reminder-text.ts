import { BUTTON_PREFIX } from "../core/answer-book.js";
import type { Clock, Translator } from "../core/ports.js";
import { encodeTaskButton } from "../core/task-buttons.js";
import { formatDate, localIsoDate } from "../core/time/zoned-time.js";
import type { Button, Locale, OutboundMessage, Span } from "../core/types.js";
import type { TaskStore } from "../tasks/task-store.js";
import { daysBetween } from "./steps.js";

/** Office and Department summaries name at most this many late units; the rest are counted. */
const NAMED_UNITS = 40;

/**
 * The text of a reminder outbox row, rendered when it is sent, in the recipient's language: a school's own
 * reminder (due date, days left or late, instructions, done/snooze/help buttons) or an office's or the
 * Department's list of late schools.
 */
export class ReminderTexts {
  constructor(
    private readonly store: Pick<TaskStore, "reminder" | "task" | "unitById" | "unitNames">,
    private readonly clock: Clock,
    private readonly translator: Translator,
    private readonly timeZone: string,
  ) {}

  /** undefined when the reminder is moot (gone, or its task has no date any more) */
  reminderMessage(reminderId: number, locale: Locale): OutboundMessage | undefined {
    const reminder = this.store.reminder(reminderId);
    const task = reminder && this.store.task(reminder.taskId);
    const unit = reminder && this.store.unitById(reminder.unitId);
    if (!reminder || !task || !unit || !task.dueOn) return undefined;
    const t = (key: string, vars?: Record<string, string | number>) => this.translator.t(`reminder.${key}`, locale, vars);
    const days = daysBetween(localIsoDate(this.clock.now(), this.timeZone), task.dueOn);
    const when = days > 0 ? t("days_left", { count: days }) : days === 0 ? t("due_today") : t("days_late", { count: -days });
    const due = formatDate(task.dueOn);
    const lines: Span[][] = [[{ text: `⏰ ${t("heading")}: `, bold: true }, { text: task.title[locale], bold: true }]];
    if (reminder.schools !== null) {
      const codes = JSON.parse(reminder.schools) as string[];
      const names = this.store.unitNames(codes, NAMED_UNITS);
      lines.push([{ text: t("summary", { count: codes.length, due, when }) }], []);
      for (const name of names) lines.push([{ text: `• ${name}` }]);
      if (codes.length > names.length) lines.push([{ text: t("and_more", { count: codes.length - names.length }) }]);
      return { text: { lines }, buttons: [] };
    }
    lines.push([{ text: `${t("unit")}: ` }, { text: unit.name }]);
    lines.push([{ text: `${t("due")}: ${due} (${when})` }], []);
    lines.push([{ text: task.instructions[locale] }]);
    const buttons: Button[] = [
      { label: t("done_button"), payload: encodeTaskButton({ kind: "done", taskId: task.id, unitId: unit.id }) },
      { label: t("snooze_button"), payload: encodeTaskButton({ kind: "snooze", reminderId: reminder.id }) },
      { label: t("help_button"), payload: `${BUTTON_PREFIX}human_handoff` },
    ];
    return { text: { lines }, buttons };
  }
}
