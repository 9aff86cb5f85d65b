import type { Config } from "../config.js";
import type { parseQuietHours } from "../core/time/quiet-hours.js";
import type { ReminderSettings } from "../reminders/steps.js";

/** Reminder steps, hours and holds from the configuration. */
export function reminderSettingsFrom(config: Config, quietHours: ReturnType<typeof parseQuietHours>): ReminderSettings {
  const [hour, minute] = config.REMINDER_TIME.split(":").map(Number) as [number, number];
  return {
    daysBefore: config.REMINDER_DAYS_BEFORE.split(",").map(Number),
    lateEveryDays: config.REMINDER_LATE_EVERY_DAYS,
    officeAfterDays: config.REMINDER_OFFICE_AFTER_DAYS,
    departmentAfterDays: config.REMINDER_DEPARTMENT_AFTER_DAYS,
    maxLateDays: config.REMINDER_MAX_LATE_DAYS,
    hour,
    minute,
    skipWeekends: config.REMINDER_SKIP_WEEKENDS,
    quietHours,
    timeZone: config.TZ_NAME,
    catchUpMs: 24 * 3_600_000,
  };
}
