/**
 * Writes the console's knowledge edits back into the content files (intents/*.yaml, templates/answers/*.yaml,
 * locales/*\/topics.json), keeping their comments and layout, so the edits can be reviewed and committed.
 * Only what differs from the files is written. The overlay stays in the database; laid over the exported files
 * it changes nothing (every change is idempotent), so exporting twice is harmless.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isMap, isSeq, Pair, parseDocument, Scalar, YAMLMap, YAMLSeq, type Document } from "yaml";
import type { AnswerTemplate } from "../core/answer-book.js";
import { applyChanges, LOCALES, type KnowledgeChange, type KnowledgeContent } from "./overlay.js";
import { readRepositoryContent } from "./repository-content.js";

/** As the files are written by hand: no folding of long lines, flow lists as `[a, b]`. */
const AS_WRITTEN = { lineWidth: 0, flowCollectionPadding: false } as const;

export interface ExportSummary {
  /** files written, relative to the output folder */
  files: string[];
  phrases: number;
  intents: number;
  answers: number;
}

/** Copies the content folders to `outDir` first when it is not `root` itself. */
export function exportOverlay(root: string, outDir: string, changes: readonly KnowledgeChange[]): ExportSummary {
  if (resolve(root) !== resolve(outDir)) {
    for (const folder of ["intents", "templates", "locales"]) cpSync(join(root, folder), join(outDir, folder), { recursive: true });
  }
  const base = readRepositoryContent(root).content;
  const target = applyChanges(base, changes);
  const summary: ExportSummary = { files: [], phrases: 0, intents: 0, answers: 0 };
  exportIntents(base, target, outDir, summary);
  exportAnswers(base, target, outDir, summary);
  exportLabels(base, target, outDir, summary);
  return summary;
}

function exportIntents(base: KnowledgeContent, target: KnowledgeContent, outDir: string, summary: ExportSummary): void {
  const dir = join(outDir, "intents");
  const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml")).sort();
  const docs = new Map<string, Document>(files.map((f) => [f, parseDocument(readFileSync(join(dir, f), "utf8"))]));
  const changed = new Set<string>();
  const baseById = new Map(base.intents.map((i) => [i.id, i]));
  for (const intent of target.intents) {
    const before = baseById.get(intent.id);
    if (before) {
      for (const locale of LOCALES) {
        const added = intent.examples[locale].slice(before.examples[locale].length);
        if (added.length === 0) continue;
        const [file, node] = findIntent(docs, intent.id);
        let seq = node.getIn(["examples", locale]);
        if (!isSeq(seq)) {
          seq = new YAMLSeq();
          node.setIn(["examples", locale], seq);
        }
        for (const text of added) (seq as YAMLSeq).add(quoted(text));
        summary.phrases += added.length;
        changed.add(file);
      }
      continue;
    }
    const prefix = intent.id.split(".")[0] as string;
    const file = files.includes(`${prefix}.yaml`) ? `${prefix}.yaml` : "console.yaml";
    let doc = docs.get(file);
    if (!doc) {
      doc = parseDocument("# Topics added in the console (npm run content:export)\n[]\n");
      docs.set(file, doc);
    }
    const entry = doc.createNode({ id: intent.id, examples: { vi: [], en: [] } }) as YAMLMap;
    for (const locale of LOCALES) (entry.getIn(["examples", locale]) as YAMLSeq).items.push(...intent.examples[locale].map(quoted));
    for (const locale of LOCALES) ((entry.getIn(["examples", locale]) as YAMLSeq).flow = false);
    (doc.contents as YAMLSeq).flow = false;
    (doc.contents as YAMLSeq).add(entry);
    summary.intents++;
    summary.phrases += intent.examples.vi.length + intent.examples.en.length;
    changed.add(file);
  }
  for (const file of changed) {
    writeFileSync(join(dir, file), (docs.get(file) as Document).toString(AS_WRITTEN));
    summary.files.push(`intents/${file}`);
  }
}

function findIntent(docs: Map<string, Document>, id: string): [string, YAMLMap] {
  for (const [file, doc] of docs) {
    const items = isSeq(doc.contents) ? doc.contents.items : [];
    for (const item of items) if (isMap(item) && item.get("id") === id) return [file, item];
  }
  throw new Error(`intent ${id} is in no file under intents/`);
}

function exportAnswers(base: KnowledgeContent, target: KnowledgeContent, outDir: string, summary: ExportSummary): void {
  for (const locale of LOCALES) {
    const file = join(outDir, "templates", "answers", `${locale}.yaml`);
    const doc = parseDocument(readFileSync(file, "utf8"));
    let changed = false;
    for (const [id, answer] of Object.entries(target.answers.answers[locale])) {
      if (sameAnswer(base.answers.answers[locale][id], answer)) continue;
      const node = new YAMLMap();
      const text = new Scalar(`${answer.text.replace(/\s+$/, "")}\n`);
      text.type = "BLOCK_LITERAL";
      node.set("text", text);
      if (answer.buttons.length > 0) {
        const buttons = new YAMLSeq();
        buttons.flow = true;
        for (const b of answer.buttons) buttons.add(b);
        node.set("buttons", buttons);
      }
      if (doc.has(id)) {
        doc.set(id, node);
      } else {
        // A new entry, set apart by a blank line like the others.
        const key = new Scalar(id);
        key.spaceBefore = true;
        (doc.contents as YAMLMap).items.push(new Pair(key, node));
      }
      changed = true;
      if (locale === "vi") summary.answers++;
    }
    if (changed) {
      writeFileSync(file, doc.toString(AS_WRITTEN));
      summary.files.push(`templates/answers/${locale}.yaml`);
    }
  }
}

function exportLabels(base: KnowledgeContent, target: KnowledgeContent, outDir: string, summary: ExportSummary): void {
  for (const locale of LOCALES) {
    const added = Object.entries(target.answers.labels[locale]).filter(([id, label]) => base.answers.labels[locale][id] !== label);
    if (added.length === 0) continue;
    const file = join(outDir, "locales", locale, "topics.json");
    const labels = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
    for (const [id, label] of added) labels[id] = label;
    writeFileSync(file, `${JSON.stringify(labels, null, 2)}\n`);
    summary.files.push(`locales/${locale}/topics.json`);
  }
}

function sameAnswer(a: AnswerTemplate | undefined, b: AnswerTemplate): boolean {
  return a !== undefined && a.text.trim() === b.text.trim() && a.buttons.join(",") === b.buttons.join(",");
}

/** Phrases are written double-quoted, as the files have them. */
function quoted(text: string): Scalar {
  const s = new Scalar(text);
  s.type = "QUOTE_DOUBLE";
  return s;
}
