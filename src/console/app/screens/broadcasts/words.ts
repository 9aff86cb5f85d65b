// Broadcasts in words: statuses, reasons and an audience as a sentence ("Phụ trách CNTT, các trường của …").
import { t } from "../../i18n";
import type { Audience, Unit } from "./types";

/** "a, b và c" / "a, b and c". */
export function joinWords(items: string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} ${t("broadcasts:words.and")} ${items[items.length - 1]!}`;
}

export function statusWord(status: string): string {
  return t(`broadcasts:status.${status}`, { defaultValue: status });
}

export function deliveryStatusWord(status: string): string {
  return t(`broadcasts:delivery.${status}`, { defaultValue: status });
}

export function reasonWord(reason: string): string {
  return t(`broadcasts:reasons.${reason}`, { defaultValue: reason });
}

export function roleWord(role: string): string {
  return t(`broadcasts:roles.${role}`, { defaultValue: role });
}

export function levelWord(level: string): string {
  return t(`broadcasts:levels.${level}`, { defaultValue: level });
}

/** "Zalo", or "Zalo · Tin truyền thông" with the OA message type a delivery went by. */
export function channelWord(channel: string, zaloType?: string | null): string {
  const word = t(`broadcasts:channels.${channel}`, { defaultValue: channel });
  return zaloType ? `${word} · ${t(`broadcasts:zalo.types.${zaloType}`, { defaultValue: zaloType })}` : word;
}

/** A unit as part of an audience: an office or the Department means everything under it. */
export function unitPhrase(unit: Unit | undefined, code: string): string {
  if (!unit) return code;
  if (unit.type === "school") return unit.name;
  return t("broadcasts:words.unitsUnder", { name: unit.name });
}

/** Who, where and how, in one sentence. */
export function audienceInWords(audience: Audience, units: Unit[]): string {
  const byCode = new Map(units.map((u) => [u.code, u]));
  const who = audience.roles?.length ? joinWords(audience.roles.map(roleWord)) : t("broadcasts:words.everyone");
  const parts = [who];
  if (audience.units?.length) parts.push(joinWords(audience.units.map((c) => unitPhrase(byCode.get(c), c))));
  if (audience.levels?.length) parts.push(t("broadcasts:words.levels", { levels: joinWords(audience.levels.map(levelWord)) }));
  const how = audience.channels?.length ? joinWords(audience.channels.map(channelWord)) : t("broadcasts:words.allChannels");
  return t("broadcasts:words.audience", { who: parts.join(", "), how });
}
