import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import type { IntentDefinition } from "../nlu/intent-classifier.js";
import type { LexiconData } from "../nlu/normalize.js";

/** Intent ids: lower-case words joined by dots ("vnedu.password"). */
export const INTENT_ID = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

const intentFile = z.array(
  z.object({
    id: z.string().regex(INTENT_ID, "ids are lower-case words joined by dots"),
    examples: z.object({
      vi: z.array(z.string().min(1)).default([]),
      en: z.array(z.string().min(1)).default([]),
    }),
  }),
);

const lexiconFile = z.object({
  shorthand: z.record(z.string(), z.string()).default({}),
  fillers: z.array(z.string()).default([]),
  contextual: z
    .record(
      z.string(),
      z.object({ means: z.string().min(1), after: z.array(z.string()).optional(), before: z.array(z.string()).optional() }),
    )
    .default({}),
});

export class ContentError extends Error {
  override name = "ContentError";
}

/** Reads every `intents/*.yaml`; an intent id may appear in one file only. */
export function loadIntents(dir: string): IntentDefinition[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort();
  const seen = new Map<string, string>();
  const intents: IntentDefinition[] = [];
  for (const file of files) {
    const parsed = intentFile.safeParse(parse(readFileSync(join(dir, file), "utf8")));
    if (!parsed.success) {
      throw new ContentError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
    }
    for (const intent of parsed.data) {
      const other = seen.get(intent.id);
      if (other) throw new ContentError(`${file}: intent ${intent.id} is already defined in ${other}`);
      seen.set(intent.id, file);
      intents.push({
        id: intent.id,
        examples: { vi: intent.examples.vi.map(nfc), en: intent.examples.en.map(nfc) },
      });
    }
  }
  if (intents.length === 0) throw new ContentError(`no intents found in ${dir}`);
  return intents;
}

export function loadLexicon(file: string): LexiconData {
  const parsed = lexiconFile.safeParse(parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new ContentError(`${file}: ${parsed.error.message}`);
  return parsed.data;
}

function nfc(s: string): string {
  return s.normalize("NFC");
}
