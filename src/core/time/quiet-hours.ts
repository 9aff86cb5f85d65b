import { localMinuteOfDay } from "./zoned-time.js";

/** A daily window when non-urgent messages wait, e.g. 21:00-07:00 (may cross midnight). */
export interface QuietHours {
  startMinute: number;
  endMinute: number;
  timeZone: string;
}

/** Parses "21:00-07:00"; an empty value means no quiet hours. Throws with a readable message otherwise. */
export function parseQuietHours(value: string, timeZone: string): QuietHours | undefined {
  if (value.trim() === "") return undefined;
  const m = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(value.trim());
  if (!m) throw new Error('must look like "21:00-07:00" (or be empty to turn quiet hours off)');
  const [sh, sm, eh, em] = m.slice(1).map(Number) as [number, number, number, number];
  if (sh > 23 || eh > 23 || sm > 59 || em > 59) throw new Error("hours must be 00-23 and minutes 00-59");
  if (sh * 60 + sm === eh * 60 + em) throw new Error("start and end must differ");
  return { startMinute: sh * 60 + sm, endMinute: eh * 60 + em, timeZone };
}

export function isQuiet(at: Date, quiet: QuietHours | undefined): boolean {
  if (!quiet) return false;
  const minute = localMinuteOfDay(at, quiet.timeZone);
  return quiet.startMinute < quiet.endMinute
    ? minute >= quiet.startMinute && minute < quiet.endMinute
    : minute >= quiet.startMinute || minute < quiet.endMinute;
}

/** The first instant at or after `at` outside quiet hours. */
export function nextAllowed(at: Date, quiet: QuietHours | undefined): Date {
  if (!isQuiet(at, quiet) || !quiet) return at;
  const minute = localMinuteOfDay(at, quiet.timeZone);
  const wait = (quiet.endMinute - minute + 1440) % 1440;
  const start = new Date(at.getTime() + wait * 60_000);
  start.setUTCSeconds(0, 0);
  return start;
}
