// The console's words come from locales/<lng>/console*.json (one file per screen group), bundled with the script.
import i18next from "i18next";
import viConsole from "../../../locales/vi/console.json";
import enConsole from "../../../locales/en/console.json";
import viBroadcasts from "../../../locales/vi/console-broadcasts.json";
import enBroadcasts from "../../../locales/en/console-broadcasts.json";
import viTasks from "../../../locales/vi/console-tasks.json";
import enTasks from "../../../locales/en/console-tasks.json";
import viRegistry from "../../../locales/vi/console-registry.json";
import enRegistry from "../../../locales/en/console-registry.json";
import viSupport from "../../../locales/vi/console-support.json";
import enSupport from "../../../locales/en/console-support.json";
import viKnowledge from "../../../locales/vi/console-knowledge.json";
import enKnowledge from "../../../locales/en/console-knowledge.json";

export const i18n = i18next.createInstance();

const LANGUAGE_KEY = "console-language";

export type Language = "vi" | "en";

export function storedLanguage(): Language {
  return localStorage.getItem(LANGUAGE_KEY) === "en" ? "en" : "vi";
}

export async function initI18n(): Promise<void> {
  await i18n.init({
    lng: storedLanguage(),
    fallbackLng: "vi",
    defaultNS: "console",
    ns: ["console", "broadcasts", "tasks", "registry", "support", "knowledge"],
    interpolation: { escapeValue: false }, // Preact escapes every text it renders
    resources: {
      vi: { console: viConsole, broadcasts: viBroadcasts, tasks: viTasks, registry: viRegistry, support: viSupport, knowledge: viKnowledge },
      en: { console: enConsole, broadcasts: enBroadcasts, tasks: enTasks, registry: enRegistry, support: enSupport, knowledge: enKnowledge },
    },
  });
  document.documentElement.lang = i18n.language;
}

export async function switchLanguage(language: Language): Promise<void> {
  localStorage.setItem(LANGUAGE_KEY, language);
  await i18n.changeLanguage(language);
  document.documentElement.lang = language;
}

/** Translates a key; "ns:key" reaches another screen group's file. */
export function t(key: string, options?: Record<string, unknown>): string {
  return i18n.t(key, options ?? {}) as string;
}
