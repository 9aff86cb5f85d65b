import type { Actor } from "../access/actor.js";
import type { AuditLog, Tx } from "../access/audit-log.js";
import { type AccessScopes, assertDepartment } from "../access/scopes.js";
import type { Channel } from "../core/types.js";
import { cluster, signatureOf } from "./grouping.js";

export const OUT_OF_SCOPE = "out_of_scope";
/** An answer the classifier gave with less than this probability is reviewed as unsure. */
export const LOW_CONFIDENCE = 0.6;
/** At most this many recent questions are grouped in one answer (`truncated` says when there were more). */
const MAX_QUESTIONS = 5000;
const EXAMPLES = 5;
const GUESSES = 3;

export interface AskedQuestion {
  id: number;
  text: string;
  /** what the bot understood when it was asked */
  intent: string;
  channel: Channel;
  at: Date;
  /** the person's language, when known */
  locale: string | null;
}

export interface Resolution {
  key: string;
  how: "ignored" | "taught";
  signatures: string[];
  resolvedAt: Date;
}

export interface ReviewStore {
  questions(filter: { since: Date; units?: Set<number>; intents: string[] }, limit: number): AskedQuestion[];
  resolutionsSince(since: Date): Resolution[];
  addResolution(
    row: { key: string; how: "ignored" | "taught"; intent: string | null; version: string | null; signatures: string[]; questionCount: number; actor: string; at: Date },
    alsoInTransaction: (tx: Tx) => void,
  ): void;
}

/** The running classifier, as the review needs it. */
export interface ReviewClassifier {
  classify(text: string): { intent: string; confidence: number; bestGuess: string; normalized: string; locale: "vi" | "en" | undefined };
  readonly intents: readonly string[];
}

export interface ReviewDeps {
  store: ReviewStore;
  scopes: AccessScopes;
  audit: AuditLog;
  /** read at every call: the knowledge engine may retrain and replace it */
  classifier: () => ReviewClassifier;
}

/** A refusal the routes turn into `{error, code, field?}`. */
export class ReviewError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface ReviewExample {
  text: string;
  at: string;
  channel: Channel;
  locale: string;
  /** unanswered: the bot had no answer; unsure: it answered with low confidence */
  kind: "unanswered" | "unsure";
}

export interface ReviewGroup {
  key: string;
  count: number;
  examples: ReviewExample[];
  firstAt: string;
  lastAt: string;
  guesses: { intent: string; confidence: number }[];
}

interface Candidate {
  question: AskedQuestion;
  signature: string;
  kind: "unanswered" | "unsure";
  guess: string;
  confidence: number;
  locale: string;
}

/**
 * Câu hỏi chưa trả lời: the questions of the last N days the running classifier cannot answer (out of scope)
 * or answers unsure (below LOW_CONFIDENCE), grouped by similarity after the NLU's normalisation, with the
 * bot's best guesses. A Department admin marks a group ignored or taught: its questions stay hidden, the
 * same question asked again later shows again. An office admin sees the questions of people who follow one
 * of its units.
 */
export class ReviewService {
  constructor(private readonly deps: ReviewDeps) {}

  groups(actor: Actor, days: number, now: Date): { days: number; since: string; truncated: boolean; groups: ReviewGroup[] } {
    const since = new Date(now.getTime() - days * 86_400_000);
    const units = this.deps.scopes.unitScope(actor);
    const { candidates, truncated } = this.candidates(since, units);
    const groups = cluster(candidates, (c) => c.signature).map((g) => toGroup(g.key, g.items));
    groups.sort((a, b) => b.count - a.count || (a.lastAt < b.lastAt ? 1 : a.lastAt > b.lastAt ? -1 : 0));
    return { days, since: since.toISOString(), truncated, groups };
  }

  resolve(
    key: string,
    request: { how: "ignored" | "taught"; intent?: string | undefined; version?: string | undefined; days: number },
    actor: Actor,
    now: Date,
  ): { key: string; how: "ignored" | "taught"; hidden: number; resolvedAt: string; alreadyAnswered?: true } {
    assertDepartment(actor, "decides which questions are dealt with");
    const since = new Date(now.getTime() - request.days * 86_400_000);
    const { candidates } = this.candidates(since, undefined);
    const group = cluster(candidates, (c) => c.signature).find((g) => g.key === key);
    if (!group && request.how === "taught") {
      // Teaching retrains in the background; when it finishes first, the bot already answers the group's
      // questions and the group is gone from the review. Nothing is left to hide: the teaching is still recorded.
      const detail = { how: request.how, intent: request.intent ?? null, version: request.version ?? null, questions: 0, alreadyAnswered: true };
      this.deps.audit.record({ actor, action: "review.teach", target: `review:${key}`, detail, at: now });
      return { key, how: request.how, hidden: 0, resolvedAt: now.toISOString(), alreadyAnswered: true };
    }
    if (!group) throw new ReviewError(404, "review_group_not_found", `no group ${key} among the questions of the last ${request.days} days`);
    const detail = { how: request.how, intent: request.intent ?? null, version: request.version ?? null, questions: group.items.length };
    this.deps.store.addResolution(
      { key, how: request.how, intent: detail.intent, version: detail.version, signatures: group.signatures, questionCount: group.items.length, actor: actor.label, at: now },
      (tx) => this.deps.audit.record({ actor, action: `review.${request.how === "taught" ? "teach" : "ignore"}`, target: `review:${key}`, detail, at: now }, tx),
    );
    return { key, how: request.how, hidden: group.items.length, resolvedAt: now.toISOString() };
  }

  private candidates(since: Date, units: Set<number> | undefined): { candidates: Candidate[]; truncated: boolean } {
    const classifier = this.deps.classifier();
    const intents = [...classifier.intents, OUT_OF_SCOPE];
    const rows = this.deps.store.questions({ since, ...(units ? { units } : {}), intents }, MAX_QUESTIONS);
    const hiddenUntil = new Map<string, number>();
    for (const r of this.deps.store.resolutionsSince(since)) {
      for (const s of r.signatures) hiddenUntil.set(s, Math.max(hiddenUntil.get(s) ?? 0, r.resolvedAt.getTime()));
    }
    const seen = new Map<string, ReturnType<ReviewClassifier["classify"]>>();
    const candidates: Candidate[] = [];
    for (const question of rows) {
      // A tapped button is logged with its target as the text: not a question.
      if (question.text === question.intent || question.text === `#${question.intent}`) continue;
      let understood = seen.get(question.text);
      if (!understood) {
        understood = classifier.classify(question.text);
        seen.set(question.text, understood);
      }
      const unanswered = understood.intent === OUT_OF_SCOPE;
      if (!unanswered && understood.confidence >= LOW_CONFIDENCE) continue;
      const signature = signatureOf(understood.normalized);
      if (signature === "") continue;
      const hidden = hiddenUntil.get(signature);
      if (hidden !== undefined && question.at.getTime() <= hidden) continue;
      candidates.push({
        question,
        signature,
        kind: unanswered ? "unanswered" : "unsure",
        guess: understood.bestGuess,
        confidence: understood.confidence,
        locale: question.locale ?? understood.locale ?? "vi",
      });
    }
    return { candidates, truncated: rows.length >= MAX_QUESTIONS };
  }
}

function toGroup(key: string, items: Candidate[]): ReviewGroup {
  const newest = [...items].sort((a, b) => b.question.at.getTime() - a.question.at.getTime() || b.question.id - a.question.id);
  // Different wordings first, so five examples show as much of the group as they can.
  const examples: Candidate[] = [];
  const texts = new Set<string>();
  for (const c of newest) {
    const folded = c.question.text.toLowerCase();
    if (examples.length < EXAMPLES && !texts.has(folded)) {
      examples.push(c);
      texts.add(folded);
    }
  }
  for (const c of newest) if (examples.length < EXAMPLES && !examples.includes(c)) examples.push(c);
  const votes = new Map<string, { n: number; sum: number }>();
  for (const c of items) {
    if (c.guess === OUT_OF_SCOPE) continue;
    const v = votes.get(c.guess) ?? { n: 0, sum: 0 };
    v.n++;
    v.sum += c.confidence;
    votes.set(c.guess, v);
  }
  const guesses = [...votes.entries()]
    .map(([intent, v]) => ({ intent, n: v.n, confidence: Math.round((v.sum / v.n) * 1000) / 1000 }))
    .sort((a, b) => b.n - a.n || b.confidence - a.confidence || (a.intent < b.intent ? -1 : 1))
    .slice(0, GUESSES)
    .map(({ intent, confidence }) => ({ intent, confidence }));
  return {
    key,
    count: items.length,
    examples: examples.map((c) => ({ text: c.question.text, at: c.question.at.toISOString(), channel: c.question.channel, locale: c.locale, kind: c.kind })),
    firstAt: newest.at(-1)!.question.at.toISOString(),
    lastAt: newest[0]!.question.at.toISOString(),
    guesses,
  };
}
