import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadIntents, loadLexicon } from "../content/load-intents.js";
import type { LabelledText } from "../nlu/intent-classifier.js";
import type { Logger } from "../core/conversation.js";

export const REPO_ROOT = join(import.meta.dirname, "..", "..");

export function loadProductIntents() {
  const intents = loadIntents(join(REPO_ROOT, "intents"));
  const lexicon = loadLexicon(join(REPO_ROOT, "intents", "lexicon", "normalization.yaml"));
  return { intents, lexicon };
}

/** Reads `label<TAB>text` lines; blank lines and lines starting with # are skipped. */
export function readTsv(file: string): LabelledText[] {
  const rows: LabelledText[] = [];
  readFileSync(file, "utf8")
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (line.trim() === "" || line.startsWith("#")) return;
      const tab = line.indexOf("\t");
      if (tab <= 0) throw new Error(`${file}:${i + 1}: expected label<TAB>text`);
      rows.push({ label: line.slice(0, tab).trim(), text: line.slice(tab + 1).normalize("NFC") });
    });
  return rows;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** Parses `--name value` pairs. */
export function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** A command's logger: warnings and errors to stderr (or `err`), nothing else. */
export function cliLogger(err: (line: string) => void = (line) => console.error(line)): Logger {
  return {
    info: () => {},
    warn: (_obj, msg) => err(`warning: ${msg}`),
    error: (_obj, msg) => err(`error: ${msg}`),
  };
}
