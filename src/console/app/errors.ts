// Every API error is worded by its stable code (errors.<code> in locales/*/console.json) and its field.
import { ApiError } from "./api";
import { i18n, t } from "./i18n";

/** A field path such as `audience.units[1]` in words: fields.<path without indexes>, else as given. */
export function fieldLabel(field: string): string {
  const key = `fields.${field.replace(/\[\d+\]/g, "").replace(/\./g, "_")}`;
  return i18n.exists(key, { ns: NAMESPACES }) ? t(key, { ns: NAMESPACES }) : field;
}

/** Each screen group may word the errors of its own part of the API in its own file. */
const NAMESPACES = ["console", "broadcasts", "tasks", "registry", "support", "knowledge"];

/** The sentence a staff member reads for an error. */
export function errorText(error: unknown): string {
  if (!(error instanceof ApiError)) return t("errors.unexpected");
  const vars = { ...error.extra, field: error.field ? fieldLabel(error.field) : "" };
  const key = `errors.${error.code}`;
  const known = i18n.exists(key, { ns: NAMESPACES });
  const text = known ? t(key, { ...vars, ns: NAMESPACES }) : t("errors.unknown", { status: error.status });
  return error.field && known && !text.includes(vars.field) ? `${vars.field}: ${text}` : text;
}
