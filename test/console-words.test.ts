import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ADMIN_ERROR_CODES } from "../src/http/admin/openapi.js";

const LOCALES = join(import.meta.dirname, "..", "locales");
type Tree = { [key: string]: string | Tree };

const files = readdirSync(join(LOCALES, "vi")).filter((f) => f.startsWith("console") && f.endsWith(".json"));
const load = (lang: string, file: string): Tree => JSON.parse(readFileSync(join(LOCALES, lang, file), "utf8")) as Tree;

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === "string") out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

// A value given in each language (messageVi / messageEn) is the same placeholder.
const variables = (text: string): string[] => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => (m[1] as string).replace(/(Vi|En)$/, "")).sort();
// Plural forms differ by language (Vietnamese has only "other"): compare keys without their plural suffix.
const base = (key: string): string => key.replace(/_(zero|one|two|few|many|other)$/, "");

describe("the console's words", () => {
  it("word every error code the admin API can return, in Vietnamese and in English", () => {
    for (const lang of ["vi", "en"]) {
      const worded = new Set(files.flatMap((f) => [...flatten(load(lang, f)).keys()].filter((k) => k.startsWith("errors.")).map((k) => base(k.slice(7)))));
      const missing = ADMIN_ERROR_CODES.filter((code) => !worded.has(code));
      expect(missing, `${lang}: errors.<code> missing`).toEqual([]);
    }
  });

  it("have the same keys and the same placeholders in both languages, none empty", () => {
    for (const file of files) {
      const vi = flatten(load("vi", file));
      const en = flatten(load("en", file));
      expect([...new Set([...vi.keys()].map(base))].sort(), file).toEqual([...new Set([...en.keys()].map(base))].sort());
      for (const [key, text] of vi) {
        expect(text.trim(), `${file} vi ${key}`).not.toBe("");
        const english = en.get(key) ?? en.get(`${base(key)}_other`) ?? "";
        expect(variables(text), `${file} ${key}`).toEqual(variables(english));
      }
    }
  });

  it("write Vietnamese with its tone marks (no folded-only sentences)", () => {
    for (const file of files) {
      for (const [key, text] of flatten(load("vi", file))) {
        const words = text.replace(/\{\{\s*\w+\s*\}\}/g, "").split(/\s+/).filter((w) => /^[a-zA-Z]+$/.test(w));
        // A sentence of four or more plain-Latin words and no Vietnamese letter is English or lost its tone marks.
        const hasVietnamese = /[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]/i.test(text);
        if (words.length >= 4) expect(hasVietnamese, `${file} vi ${key}: "${text}"`).toBe(true);
      }
    }
  });
});
