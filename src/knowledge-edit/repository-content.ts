import { existsSync } from "node:fs";
import { join } from "node:path";
import { readAnswerContent, type ContentWarnings, warnUnconfirmed } from "../content/load-answers.js";
import { loadIntents, loadLexicon } from "../content/load-intents.js";
import { readTsv } from "../cli/shared.js";
import type { LabelledText } from "../nlu/intent-classifier.js";
import type { LexiconData } from "../nlu/normalize.js";
import type { KnowledgeContent } from "./overlay.js";

/** The content as the repository's files hold it (intents/, templates/, locales/ under `root`). */
export function readRepositoryContent(root: string, logger?: ContentWarnings): { content: KnowledgeContent; lexicon: LexiconData } {
  const intents = loadIntents(join(root, "intents"));
  const lexicon = loadLexicon(join(root, "intents", "lexicon", "normalization.yaml"));
  const { content, toConfirm } = readAnswerContent({ templatesDir: join(root, "templates"), localesDir: join(root, "locales") });
  warnUnconfirmed(content.facts, toConfirm, logger);
  return { content: { intents, answers: content }, lexicon };
}

/** The held-out sets a change is measured on: test/fixtures/nlu-heldout.tsv and the hard set, where present. */
export function readHeldout(root: string): LabelledText[] {
  const rows: LabelledText[] = [];
  for (const name of ["nlu-heldout.tsv", "nlu-hard.tsv"]) {
    const file = join(root, "test", "fixtures", name);
    if (existsSync(file)) rows.push(...readTsv(file));
  }
  return rows;
}
