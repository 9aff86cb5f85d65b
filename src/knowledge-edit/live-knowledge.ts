import type { AuditLog } from "../access/audit-log.js";
import { AnswerBook } from "../core/answer-book.js";
import type { Clock } from "../core/ports.js";
import { checkContent, type ContentWarnings } from "../content/load-answers.js";
import { ContentError } from "../content/load-intents.js";
import type { Db } from "../db/database.js";
import { IntentClassifier, type ClassifierSettings } from "../nlu/intent-classifier.js";
import { KnowledgeEditor } from "./knowledge-editor.js";
import { LiveClassifier } from "./live-classifier.js";
import { applyChanges } from "./overlay.js";
import { SqliteOverlayStore } from "./overlay-store.js";
import { readHeldout, readRepositoryContent } from "./repository-content.js";
import { BackgroundTrainer } from "./trainer.js";

export interface LiveKnowledge {
  nlu: LiveClassifier;
  answers: AnswerBook;
  editor: KnowledgeEditor;
  trainer: BackgroundTrainer;
}

/**
 * The bot's knowledge at start: the repository's files with the console's edits (the overlay) on top, checked
 * by the start-up check as one, the classifier trained on it. A broken overlay stops the start like a broken file.
 */
export function loadLiveKnowledge(options: {
  contentRoot: string;
  /** where test/fixtures/nlu-heldout.tsv and nlu-hard.tsv are (the repository root) */
  heldoutRoot: string;
  db: Db;
  audit: AuditLog;
  clock: Clock;
  settings: ClassifierSettings;
  logger?: ContentWarnings & { info(obj: object, msg: string): void };
}): LiveKnowledge {
  const { content: base, lexicon } = readRepositoryContent(options.contentRoot, options.logger);
  const store = new SqliteOverlayStore(options.db);
  const active = store.active();
  const content = applyChanges(base, active.map((a) => a.change));
  try {
    checkContent(content.answers, content.intents.map((i) => i.id));
  } catch (error) {
    if (active.length === 0 || !(error instanceof ContentError)) throw error;
    const versions = active.map((a) => a.version).join(", ");
    throw new ContentError(`${error.message}\n  (the content includes the console's knowledge edits, versions ${versions}; revert the faulty one or fix the files)`);
  }
  const nlu = new LiveClassifier(IntentClassifier.fromIntents(content.intents, lexicon, options.settings));
  const answers = new AnswerBook(content.answers);
  const heldout = readHeldout(options.heldoutRoot);
  const trainer = new BackgroundTrainer(lexicon, options.settings, heldout);
  const editor = new KnowledgeEditor(
    { base, store, audit: options.audit, clock: options.clock, nlu, answers, trainer, heldout, ...(options.logger ? { logger: options.logger } : {}) },
    content,
  );
  return { nlu, answers, editor, trainer };
}
