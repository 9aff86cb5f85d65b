import { nextAllowed, type QuietHours } from "../core/time/quiet-hours.js";
import { localDateParts, zonedInstant } from "../core/time/zoned-time.js";

export interface ReminderSettings {
  /** days before the due date (0 = on the day) */
  daysBefore: number[];
  /** after the due date, a reminder every N days */
  lateEveryDays: number;
  /** from this many days late the office above the school is told too */
  officeAfterDays: number;
  /** from this many days late the Department's staff are told, with the list of late schools */
  departmentAfterDays: number;
  /** stop reminding this many days after the due date */
  maxLateDays: number;
  hour: number;
  minute: number;
  skipWeekends: boolean;
  quietHours: QuietHours | undefined;
  timeZone: string;
  /** a step missed by less than this (the process was down) is still sent */
  catchUpMs: number;
}

export interface Step {
  /** "before-7", "due", "late-4" */
  key: string;
  /** days relative to the due date (negative before) */
  offsetDays: number;
  at: Date;
  toOffice: boolean;
  toDepartment: boolean;
}

/** Every reminder step of a due date, each held to the next allowed time (weekends, quiet hours). */
export function stepsFor(dueOn: string, settings: ReminderSettings): Step[] {
  const offsets = [...new Set(settings.daysBefore.map((d) => -Math.abs(d)))].sort((a, b) => a - b);
  for (let d = settings.lateEveryDays; d <= settings.maxLateDays; d += settings.lateEveryDays) offsets.push(d);
  return offsets.map((offsetDays) => ({
    key: offsetDays < 0 ? `before-${-offsetDays}` : offsetDays === 0 ? "due" : `late-${offsetDays}`,
    offsetDays,
    at: allowedTime(zonedInstant(addDays(dueOn, offsetDays), settings.hour, settings.minute, settings.timeZone), settings),
    toOffice: offsetDays >= settings.officeAfterDays,
    toDepartment: offsetDays >= settings.departmentAfterDays,
  }));
}

/** Steps whose time has come at `now` but not longer ago than the catch-up window. */
export function currentSteps(dueOn: string, now: Date, settings: ReminderSettings): Step[] {
  return stepsFor(dueOn, settings).filter((s) => s.at.getTime() <= now.getTime() && s.at.getTime() > now.getTime() - settings.catchUpMs);
}

/** Held past quiet hours and, when configured, to Monday morning. */
export function allowedTime(at: Date, settings: ReminderSettings): Date {
  let t = nextAllowed(at, settings.quietHours);
  if (!settings.skipWeekends) return t;
  for (let guard = 0; guard < 3; guard++) {
    const { weekday } = localDateParts(t, settings.timeZone);
    if (weekday !== 0 && weekday !== 6) return t;
    const daysToMonday = weekday === 6 ? 2 : 1;
    const local = localIsoDateOf(t, settings.timeZone);
    t = nextAllowed(zonedInstant(addDays(local, daysToMonday), settings.hour, settings.minute, settings.timeZone), settings.quietHours);
  }
  return t;
}

export function addDays(isoDate: string, days: number): string {
  const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole days from `fromIso` to `toIso` (positive when `toIso` is later). */
export function daysBetween(fromIso: string, toIso: string): number {
  const parse = (s: string) => {
    const [y, m, d] = s.split("-").map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((parse(toIso) - parse(fromIso)) / 86_400_000);
}

function localIsoDateOf(at: Date, timeZone: string): string {
  const { year, month, day } = localDateParts(at, timeZone);
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}
