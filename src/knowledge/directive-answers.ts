import type { DirectiveLookup, DirectivePassage } from "../core/ports.js";
import type { DirectiveDocument } from "./directive-document.js";
import { trimPassage, type DirectiveHit, type DirectiveSearch } from "./directive-search.js";

/**
 * When a passage is good enough to quote. Staff ask about requirements in the directive's own words, so a
 * partial match still helps them; a parent gets a passage only when it covers nearly all of the question.
 */
const BAR = {
  staff: { minScore: 6, minCoverage: 0.4 },
  public: { minScore: 10, minCoverage: 0.75 },
} as const;
const PASSAGE_CHARS = 600;
const MORE = 2;

export class DirectiveAnswers implements DirectiveLookup {
  constructor(
    private readonly search: DirectiveSearch,
    private readonly document: DirectiveDocument,
  ) {}

  lookup(question: string, audience: "staff" | "public"): { passage: DirectivePassage; more: string[] } | undefined {
    const bar = BAR[audience];
    const hits = this.search.search(question, 1 + MORE).filter((h) => h.text.trim() !== "");
    const best = hits[0];
    if (!best || best.score < bar.minScore || best.coverage < bar.minCoverage) return undefined;
    const more = hits.slice(1).filter((h) => h.score >= bar.minScore / 2).map((h) => h.section);
    return { passage: this.toPassage(best), more };
  }

  passage(section: string): DirectivePassage | undefined {
    const found = this.search.section(section);
    return found && found.text.trim() !== "" ? this.toPassage(found) : undefined;
  }

  private toPassage(hit: Pick<DirectiveHit, "section" | "title" | "text">): DirectivePassage {
    return { section: hit.section, title: hit.title, text: trimPassage(hit.text, PASSAGE_CHARS), source: this.document.source };
  }
}
