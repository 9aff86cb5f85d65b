import { localDateParts, localIsoDate, localMinuteOfDay, zonedInstant } from "./zoned-time.js";

/** When staff read hand-off requests: a daily window on Monday to Friday, e.g. 07:30-17:00. */
export interface OfficeHours {
  startMinute: number;
  endMinute: number;
  timeZone: string;
}

/** Parses "07:30-17:00" (same day, start before end); an empty value means staff are always there. */
export function parseOfficeHours(value: string, timeZone: string): OfficeHours | undefined {
  if (value.trim() === "") return undefined;
  const m = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(value.trim());
  if (!m) throw new Error('must look like "07:30-17:00" (or be empty when staff answer at any time)');
  const [sh, sm, eh, em] = m.slice(1).map(Number) as [number, number, number, number];
  if (sh > 23 || eh > 23 || sm > 59 || em > 59) throw new Error("hours must be 00-23 and minutes 00-59");
  if (sh * 60 + sm >= eh * 60 + em) throw new Error("the start must be before the end, within one day");
  return { startMinute: sh * 60 + sm, endMinute: eh * 60 + em, timeZone };
}

const isWeekday = (weekday: number): boolean => weekday >= 1 && weekday <= 5;

/** The next opening after `at` when `at` is outside office hours; undefined inside them (or with none). */
export function nextOfficeOpening(at: Date, hours: OfficeHours | undefined): Date | undefined {
  if (!hours) return undefined;
  const { weekday } = localDateParts(at, hours.timeZone);
  const minute = localMinuteOfDay(at, hours.timeZone);
  if (isWeekday(weekday) && minute >= hours.startMinute && minute < hours.endMinute) return undefined;
  const today = localIsoDate(at, hours.timeZone);
  const hour = Math.floor(hours.startMinute / 60);
  const min = hours.startMinute % 60;
  // Today before opening, else the next Monday-to-Friday day (public holidays are not known here).
  let days = isWeekday(weekday) && minute < hours.startMinute ? 0 : 1;
  while (!isWeekday((weekday + days) % 7)) days++;
  return zonedInstant(addDays(today, days), hour, min, hours.timeZone);
}

function addDays(isoDate: string, days: number): string {
  const [y, m, d] = isoDate.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
