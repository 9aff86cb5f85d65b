import i18next, { type i18n } from "i18next";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Translator } from "../core/ports.js";
import type { Locale } from "../core/types.js";

/** i18next over locales/<lng>/translation.json; escaping is the renderers' job, not i18next's. */
export class I18nTranslator implements Translator {
  private constructor(private readonly i18n: i18n) {}

  static async load(localesDir: string, fallback: Locale): Promise<I18nTranslator> {
    const instance = i18next.createInstance();
    const resources: Record<string, { translation: Record<string, unknown> }> = {};
    for (const lng of ["vi", "en"]) {
      resources[lng] = { translation: JSON.parse(readFileSync(join(localesDir, lng, "translation.json"), "utf8")) };
    }
    await instance.init({
      resources,
      lng: fallback,
      fallbackLng: fallback,
      interpolation: { escapeValue: false },
      returnNull: false,
      showSupportNotice: false,
    });
    return new I18nTranslator(instance);
  }

  t(key: string, locale: Locale, vars: Record<string, string | number> = {}): string {
    return this.i18n.t(key, { lng: locale, ...vars });
  }
}
