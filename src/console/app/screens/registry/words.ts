// The registry's API values in words: problems of an import file, columns, roles.
import { i18n, t } from "../../i18n";
import type { ImportProblem } from "./types";

export type ImportKind = "units" | "people";

/** The problem in the console's language by its code; the API's English text when the code is new to us. */
export function problemText(p: ImportProblem): string {
  const key = `registry:problems.${p.code}`;
  if (!i18n.exists(key)) return p.problem;
  const params: Record<string, string | number> = { ...(p.params ?? {}) };
  if (p.code === "role_unit_mismatch") {
    params.role = t(`registry:roles.${String(params.role)}`);
    params.expected = t(`registry:unitTypes.${String(params.expected)}`);
    params.actual = t(`registry:unitTypes.${String(params.actual)}`);
  }
  if (p.code === "level_not_allowed") params.type = capitalise(t(`registry:unitTypes.${String(params.type)}`));
  return t(key, params);
}

export function columnLabel(kind: ImportKind, column: string): string {
  if (column === "") return t("registry:columns.whole");
  if (kind === "people" && column === "name") return t("registry:people.name");
  const key = `registry:columns.${column}`;
  return i18n.exists(key) ? t(key) : column;
}

export function roleText(role: string): string {
  return t(`registry:roles.${role}`);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Base64 of a text's UTF-8 bytes, for a data: URL. */
export function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
