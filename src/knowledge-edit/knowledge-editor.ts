/**
 * Live knowledge editing (console: Kiến thức). A change is checked like the start-up check checks the files,
 * measured on the held-out questions with a model trained on it (in the training thread; the model in use keeps
 * answering meanwhile), stored as a version of the overlay, and then the new model and answers are swapped in
 * together, in one step of the event loop: no restart, no moment where one is new and the other old.
 */
import type { Actor } from "../access/actor.js";
import type { AuditLog } from "../access/audit-log.js";
import { AccessError } from "../access/scopes.js";
import { toPlainText, toTelegramHtml } from "../core/render.js";
import { renderTemplate } from "../core/rich-text.js";
import type { AnswerBook } from "../core/answer-book.js";
import { payloadFor } from "../core/answer-book.js";
import type { Clock } from "../core/ports.js";
import { zaloText } from "../adapters/zalo/zalo-sender.js";
import { contentProblems, type ContentProblem } from "../content/load-answers.js";
import type { IntentClassifier } from "../nlu/intent-classifier.js";
import type { LabelledText } from "../nlu/intent-classifier.js";
import { KnowledgeError } from "./knowledge-error.js";
import type { LiveClassifier } from "./live-classifier.js";
import {
  applyChanges,
  changeSchema,
  changesTraining,
  intentOf,
  LOCALES,
  summaryOf,
  type KnowledgeChange,
  type KnowledgeContent,
} from "./overlay.js";
import type { SqliteOverlayStore } from "./overlay-store.js";
import { heldoutAccuracyInSlices, type BackgroundTrainer } from "./trainer.js";
import { z } from "zod";

const RESERVED_TARGETS = new Set(["menu", "lang.vi", "lang.en", "preview.new_topic"]);

/** A change that lowers held-out accuracy by more than this (1 point) waits for a second confirmation. */
export const ACCURACY_DROP_LIMIT = 0.01;

export interface Bilingual {
  vi: string;
  en: string;
}

export interface Problem {
  code: string;
  field: string;
  message: string;
}

export interface ApplyResult {
  version: number;
  applied: true;
  accuracy: { before: number | null; after: number | null };
}

export interface KnowledgeEditorDeps {
  base: KnowledgeContent;
  store: SqliteOverlayStore;
  audit: AuditLog;
  clock: Clock;
  nlu: LiveClassifier;
  answers: AnswerBook;
  trainer: BackgroundTrainer;
  heldout: LabelledText[];
  logger?: { info(obj: object, msg: string): void };
}

const previewInput = z
  .object({
    intent: z.string().optional(),
    answer: z.object({ vi: z.string().max(20_000), en: z.string().max(20_000) }).strict(),
    buttons: changeSchema.options[2].shape.buttons,
  })
  .strict();

const applyInput = z.object({ change: z.unknown(), confirm: z.boolean().optional(), note: z.string().trim().max(500).optional() }).strict();
const revertInput = z.object({ confirm: z.boolean().optional(), note: z.string().trim().max(500).optional() }).strict();

export class KnowledgeEditor {
  private content: KnowledgeContent;
  private appliedVersion: number;
  private lastAppliedAt: Date | null = null;
  /** held-out accuracy of the model in use; measured on first need */
  private accuracy: Promise<number | null> | undefined;
  /** one change at a time: each is measured against the content the one before it left */
  private queue: Promise<unknown> = Promise.resolve();
  private training = 0;

  constructor(private readonly deps: KnowledgeEditorDeps, content: KnowledgeContent) {
    this.content = content;
    this.appliedVersion = deps.store.latest();
  }

  listIntents(): { intents: { id: string; title?: Bilingual; exampleCount: number; answer: Bilingual; source: "repository" | "overlay" }[] } {
    this.deps.trainer.warm(this.content.intents);
    const touched = this.touchedIntents();
    const { answers, labels } = this.content.answers;
    return {
      intents: this.content.intents.map((intent) => {
        const title = labels.vi[intent.id] !== undefined ? { vi: labels.vi[intent.id] as string, en: labels.en[intent.id] ?? (labels.vi[intent.id] as string) } : undefined;
        return {
          id: intent.id,
          ...(title ? { title } : {}),
          exampleCount: intent.examples.vi.length + intent.examples.en.length,
          answer: { vi: answers.vi[intent.id]?.text ?? "", en: answers.en[intent.id]?.text ?? "" },
          source: touched.has(intent.id) ? "overlay" : "repository",
        };
      }),
    };
  }

  getIntent(id: string): {
    id: string;
    title?: Bilingual;
    examples: { vi: string[]; en: string[] };
    answer: Bilingual;
    buttons: { label: Bilingual; payload: string }[];
    source: "repository" | "overlay";
  } {
    this.deps.trainer.warm(this.content.intents);
    const intent = this.content.intents.find((i) => i.id === id);
    if (!intent) throw new KnowledgeError(404, "not_found", `no intent ${id}`, "intent");
    const { answers, labels } = this.content.answers;
    const label = (target: string): Bilingual => ({ vi: labels.vi[target] ?? target, en: labels.en[target] ?? labels.vi[target] ?? target });
    return {
      id,
      ...(labels.vi[id] !== undefined ? { title: label(id) } : {}),
      examples: { vi: [...intent.examples.vi], en: [...intent.examples.en] },
      answer: { vi: answers.vi[id]?.text ?? "", en: answers.en[id]?.text ?? "" },
      buttons: (answers.vi[id]?.buttons ?? []).map((target) => ({ label: label(target), payload: payloadFor(target) })),
      source: this.touchedIntents().has(id) ? "overlay" : "repository",
    };
  }

  /** The answer as each channel would show it, and what the start-up check would say of it. */
  preview(body: unknown): { valid: boolean; problems: Problem[]; channels: Record<"telegram" | "zalo" | "web", Bilingual> } {
    const parsed = previewInput.safeParse(body);
    if (!parsed.success) throw invalid(parsed.error);
    const { intent, answer, buttons } = parsed.data;
    const id = intent && this.content.intents.some((i) => i.id === intent) ? intent : "preview.new_topic";
    const text = { vi: answer.vi.normalize("NFC").trim(), en: answer.en.normalize("NFC").trim() };
    const candidate = applyChanges(this.content, [{ kind: "edit_answer", intent: id, answer: text, ...(buttons ? { buttons } : {}) }]);
    if (!this.content.intents.some((i) => i.id === id)) {
      candidate.intents.push({ id, examples: { vi: [], en: [] } });
      for (const locale of LOCALES) candidate.answers.labels[locale][id] = id;
    }
    const problems = [...emptyAnswerProblems(text), ...contentProblems(candidate.answers, candidate.intents.map((i) => i.id)).filter((p) => p.intent === id).map(toProblem)];
    const channels = { telegram: { vi: "", en: "" }, zalo: { vi: "", en: "" }, web: { vi: "", en: "" } };
    for (const locale of LOCALES) {
      const rich = renderTemplate(text[locale], new Proxy(candidate.answers.facts, { get: (facts, name: string) => facts[name] ?? `{{${name}}}` }));
      channels.telegram[locale] = toTelegramHtml(rich);
      channels.zalo[locale] = zaloText(rich);
      channels.web[locale] = toPlainText(rich);
    }
    return { valid: problems.length === 0, problems, channels };
  }

  status(): { version: number; training: boolean; appliedVersion: number; lastAppliedAt: string | null } {
    return {
      version: this.deps.store.latest(),
      training: this.training > 0,
      appliedVersion: this.appliedVersion,
      lastAppliedAt: this.lastAppliedAt?.toISOString() ?? null,
    };
  }

  versions(): { versions: { version: number; at: string; by: string; kind: string; summary: string; note?: string; reverts?: number; revertedAt?: string }[] } {
    return {
      versions: this.deps.store.list().map((v) => ({
        version: v.version,
        at: v.at.toISOString(),
        by: v.by,
        kind: v.kind,
        summary: v.summary,
        ...(v.note ? { note: v.note } : {}),
        ...(v.reverts !== null ? { reverts: v.reverts } : {}),
        ...(v.revertedAt ? { revertedAt: v.revertedAt.toISOString() } : {}),
      })),
    };
  }

  /** Checks, measures, stores and applies one change; see the module comment. */
  apply(body: unknown, actor: Actor): Promise<ApplyResult> {
    requireWriter(actor);
    const parsed = applyInput.safeParse(body);
    if (!parsed.success) throw invalid(parsed.error);
    const change = changeSchema.safeParse(parsed.data.change);
    if (!change.success) throw invalid(change.error, "change");
    const { confirm = false, note } = parsed.data;
    return this.serially(async () => {
      this.checkTarget(change.data);
      const changes = [...this.deps.store.active().map((a) => a.change), change.data];
      const candidate = applyChanges(this.deps.base, changes);
      this.checkContent(candidate, change.data);
      const measured = await this.measure(candidate, changesTraining(change.data), confirm);
      const at = this.deps.clock.now();
      const version = this.deps.store.transaction((tx) => {
        const v = this.deps.store.insert({ at, by: actor.label, change: change.data, summary: summaryOf(change.data), note: note || null }, tx);
        this.deps.audit.record(
          { actor, action: "knowledge.change", target: `knowledge:${v}`, detail: { kind: change.data.kind, intent: intentOf(change.data), accuracy: measured.accuracy, note: note ?? null }, at },
          tx,
        );
        return v;
      });
      this.swapIn(candidate, measured, version, at);
      return { version, applied: true as const, accuracy: measured.accuracy };
    });
  }

  /** Undoes a version's change, as a new version; measured and guarded like any change. */
  revert(version: number, body: unknown, actor: Actor): Promise<ApplyResult> {
    requireWriter(actor);
    const parsed = revertInput.safeParse(body ?? {});
    if (!parsed.success) throw invalid(parsed.error);
    const { confirm = false, note } = parsed.data;
    return this.serially(async () => {
      const target = this.deps.store.get(version);
      if (!target) throw new KnowledgeError(404, "not_found", `no version ${version}`, "version");
      if (target.kind === "revert" || target.change === null) throw new KnowledgeError(400, "not_revertible", `version ${version} is a revert; apply the change again instead`, "version");
      if (target.revertedAt) throw new KnowledgeError(409, "already_reverted", `version ${version} was already reverted by version ${target.revertedBy}`, "version");
      const undone = target.change;
      const changes = this.deps.store.active().filter((a) => a.version !== version).map((a) => a.change);
      const candidate = applyChanges(this.deps.base, changes);
      this.checkContent(candidate, undone);
      const measured = await this.measure(candidate, changesTraining(undone), confirm);
      const at = this.deps.clock.now();
      const summary = `revert version ${version} (${target.summary})`.slice(0, 300);
      const created = this.deps.store.transaction((tx) => {
        const v = this.deps.store.insertRevert({ at, by: actor.label, reverts: version, summary, note: note || null }, tx);
        this.deps.audit.record({ actor, action: "knowledge.revert", target: `knowledge:${v}`, detail: { reverts: version, accuracy: measured.accuracy, note: note ?? null }, at }, tx);
        return v;
      });
      this.swapIn(candidate, measured, created, at);
      return { version: created, applied: true as const, accuracy: measured.accuracy };
    });
  }

  /**
   * Follows a version another instance stored (several processes on one database): when the newest version in
   * the store is not the one in use, the content is rebuilt from the store, a model trained on it (the old one
   * answering meanwhile) and both swapped in. Returns whether it changed anything.
   */
  async followLatest(): Promise<boolean> {
    // async: a store that cannot be read (the database unreachable) rejects instead of throwing into a timer
    if (this.deps.store.latest() === this.appliedVersion) return false;
    return await this.serially(async () => {
      const latest = this.deps.store.latest();
      if (latest === this.appliedVersion) return false;
      const candidate = applyChanges(this.deps.base, this.deps.store.active().map((a) => a.change));
      this.training++;
      let trained;
      try {
        trained = await this.deps.trainer.train(candidate.intents);
      } finally {
        this.training--;
      }
      this.swapIn(candidate, { classifier: trained.classifier, accuracy: { after: trained.accuracy } }, latest, this.deps.clock.now());
      this.deps.logger?.info({ version: latest }, "knowledge: followed a version applied by another instance");
      return true;
    });
  }

  /** Held-out accuracy of the model in use (measured once per model, a slice at a time). */
  currentAccuracy(): Promise<number | null> {
    this.accuracy ??= heldoutAccuracyInSlices(this.deps.nlu.current, this.deps.heldout);
    return this.accuracy;
  }

  private async measure(
    candidate: KnowledgeContent,
    retrain: boolean,
    confirm: boolean,
  ): Promise<{ classifier: IntentClassifier | undefined; accuracy: { before: number | null; after: number | null } }> {
    if (!retrain) {
      const now = await this.currentAccuracy();
      return { classifier: undefined, accuracy: { before: now, after: now } };
    }
    this.training++;
    let trained;
    let before;
    try {
      [trained, before] = await Promise.all([this.deps.trainer.train(candidate.intents), this.currentAccuracy()]);
    } finally {
      this.training--;
    }
    const accuracy = { before, after: trained.accuracy };
    this.deps.logger?.info({ trainMs: Math.round(trained.trainMs), accuracy }, "knowledge change: candidate model trained");
    if (!confirm && before !== null && trained.accuracy !== null && before - trained.accuracy > ACCURACY_DROP_LIMIT + 1e-9) {
      throw new KnowledgeError(
        409,
        "accuracy_drop",
        `held-out accuracy would drop from ${pct(before)} to ${pct(trained.accuracy)}; send confirm: true to apply anyway`,
        undefined,
        { accuracy },
      );
    }
    return { classifier: trained.classifier, accuracy };
  }

  /** The model and the answers change together, in one synchronous step. */
  private swapIn(candidate: KnowledgeContent, measured: { classifier: IntentClassifier | undefined; accuracy: { after: number | null } }, version: number, at: Date): void {
    if (measured.classifier) {
      this.deps.nlu.swap(measured.classifier);
      this.accuracy = Promise.resolve(measured.accuracy.after);
    }
    this.deps.answers.replace(candidate.answers);
    this.content = candidate;
    this.appliedVersion = version;
    this.lastAppliedAt = at;
  }

  private checkTarget(change: KnowledgeChange): void {
    const exists = (id: string): boolean => this.content.intents.some((i) => i.id === id);
    if (change.kind === "new_intent") {
      if (exists(change.intent.id)) throw new KnowledgeError(400, "intent_exists", `intent ${change.intent.id} already exists; add phrases or edit its answer instead`, "intent.id");
      // Answers without an intent (the bot's own messages) and the menu and language buttons keep their ids.
      if (RESERVED_TARGETS.has(change.intent.id) || this.content.answers.answers.vi[change.intent.id] !== undefined) {
        throw new KnowledgeError(400, "intent_exists", `${change.intent.id} is already used by the bot; choose another id`, "intent.id");
      }
      if (change.intent.questions.vi.length + change.intent.questions.en.length === 0) {
        throw new KnowledgeError(400, "no_questions", "a new topic needs at least one question", "intent.questions.vi");
      }
    } else if (!exists(change.intent)) {
      throw new KnowledgeError(400, "unknown_intent", `no intent ${change.intent}`, "intent");
    }
    if (change.kind === "add_examples") {
      const intent = this.content.intents.find((i) => i.id === change.intent);
      const known = new Set([...(intent?.examples.vi ?? []), ...(intent?.examples.en ?? [])].map((s) => s.toLowerCase().replace(/\s+/g, " ")));
      if (change.examples.every((e) => known.has(e.text.toLowerCase().replace(/\s+/g, " ")))) {
        throw new KnowledgeError(400, "nothing_new", `every phrase is already a training phrase of ${change.intent}`, "examples");
      }
    }
  }

  /** The start-up check, on the content as it would be; the first problem is the answer (all of them ride along). */
  private checkContent(candidate: KnowledgeContent, change: KnowledgeChange): void {
    const answer = change.kind === "edit_answer" ? change.answer : change.kind === "new_intent" ? change.intent.answer : undefined;
    const problems: Problem[] = [
      ...(answer ? emptyAnswerProblems(answer) : []),
      ...contentProblems(candidate.answers, candidate.intents.map((i) => i.id)).map(toProblem),
    ];
    const first = problems[0];
    if (first) throw new KnowledgeError(400, first.code, first.message, fieldFor(first.field, change), { problems });
  }

  private touchedIntents(): Set<string> {
    return new Set(this.deps.store.active().map((a) => intentOf(a.change)));
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function requireWriter(actor: Actor): void {
  if (actor.role !== "department_admin") throw new AccessError("only Department admins change the bot's knowledge");
}

function invalid(error: z.ZodError, prefix?: string): KnowledgeError {
  const issue = error.issues[0];
  const path = [...(prefix ? [prefix] : []), ...(issue?.path ?? []).map(String)].join(".");
  const code = issue?.code === "unrecognized_keys" ? "unknown_field" : "invalid";
  return new KnowledgeError(400, code, `${path || "body"}: ${issue?.message ?? "invalid"}`, path || undefined);
}

function emptyAnswerProblems(answer: Bilingual): Problem[] {
  return LOCALES.filter((l) => answer[l].trim() === "").map((l) => ({ code: "required", field: `answer.${l}`, message: `answer.${l}: must not be empty` }));
}

function toProblem(p: ContentProblem): Problem {
  return { code: p.code, field: p.field, message: p.message };
}

/** A problem's field as the change names it ("answer.vi" of a new intent is "intent.answer.vi"). */
function fieldFor(field: string, change: KnowledgeChange): string {
  return change.kind === "new_intent" && (field.startsWith("answer") || field === "buttons" || field.startsWith("title")) ? `intent.${field}` : field;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
