// Dates and times always in Vietnam time, dd/MM/yyyy and 24-hour, whatever the browser's own zone and locale.
import { i18n } from "./i18n";

export const TIME_ZONE = "Asia/Ho_Chi_Minh";

const partsFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

function parts(value: string | number | Date): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of partsFormat.formatToParts(new Date(value))) out[p.type] = p.value;
  return out;
}

/** dd/MM/yyyy of an instant, in Vietnam time. */
export function formatDate(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return isoDateToText(value);
  const p = parts(value);
  return `${p.day}/${p.month}/${p.year}`;
}

/** dd/MM/yyyy HH:mm of an instant, in Vietnam time. */
export function formatDateTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const p = parts(value);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** A calendar date "2026-12-02" shown as "02/12/2026". */
export function isoDateToText(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** "2/12/2026" or "02/12/2026" as "2026-12-02"; undefined when it is not a real date. */
export function textToIsoDate(text: string): string | undefined {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text);
  if (!m) return undefined;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Today's calendar date in Vietnam, "yyyy-MM-dd". */
export function todayIso(now: Date = new Date()): string {
  const p = parts(now);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The instant of a Vietnam-time date and "HH:mm" (Vietnam has no daylight saving: always UTC+7). */
export function vietnamInstant(isoDate: string, time: string): Date | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(time.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return undefined;
  return new Date(`${isoDate}T${m[1]!.padStart(2, "0")}:${m[2]}:00+07:00`);
}

/** A number with the separators of the console's language (1.234 in Vietnamese, 1,234 in English). */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(i18n.language === "en" ? "en-US" : "vi-VN", options).format(value);
}

/** A share 0..1 as a percentage with one decimal. */
export function formatPercent(share: number): string {
  return formatNumber(share, { style: "percent", maximumFractionDigits: 1 });
}

/** "3 giờ 5 phút" / "3 h 5 min": how long something has waited. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return i18n.t("common.duration.daysHours", { days, hours });
  if (hours > 0) return i18n.t("common.duration.hoursMinutes", { hours, minutes: mins });
  return i18n.t("common.duration.minutes", { minutes: mins });
}
