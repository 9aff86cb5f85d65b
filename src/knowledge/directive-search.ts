import type { Normalizer } from "../nlu/normalize.js";
import { fold } from "../nlu/normalize.js";
import type { DirectiveSection } from "./directive-document.js";

export interface DirectiveHit {
  section: string;
  title: string;
  /** the whole section text */
  text: string;
  /** BM25 score */
  score: number;
  /** share of the question's informative words (weighted by rarity) that the section contains, 0..1 */
  coverage: number;
}

export interface DirectiveSearchOptions {
  /** folded words that carry no meaning for the search ("cac", "va", "cho") */
  stopwords: readonly string[];
  k1?: number;
  b?: number;
}

interface Posting {
  doc: number;
  tf: number;
}

/**
 * BM25 over the directive's sections, on the NLU's normalised syllables (tone marks folded, shorthand
 * expanded) and syllable bigrams, so "an toan thong tin", "an toàn thông tin" and "attt" find the same
 * section. The heading counts twice. Short Vietnamese queries are mostly two-syllable words: the bigram
 * ("an toan", "thong tin") is what separates them from documents that merely share the syllables.
 */
export class DirectiveSearch {
  private readonly postings = new Map<string, Posting[]>();
  private readonly lengths: number[] = [];
  private readonly averageLength: number;
  private readonly stopwords: Set<string>;
  private readonly k1: number;
  private readonly b: number;

  constructor(
    private readonly sections: readonly DirectiveSection[],
    private readonly normalizer: Normalizer,
    options: DirectiveSearchOptions,
  ) {
    this.stopwords = new Set(options.stopwords.map(fold));
    this.k1 = options.k1 ?? 1.2;
    this.b = options.b ?? 0.75;
    sections.forEach((section, doc) => {
      const terms = [...this.terms(section.title), ...this.terms(section.title), ...this.terms(section.text)];
      this.lengths.push(terms.length);
      const counts = new Map<string, number>();
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
      for (const [term, tf] of counts) {
        let list = this.postings.get(term);
        if (!list) this.postings.set(term, (list = []));
        list.push({ doc, tf });
      }
    });
    this.averageLength = this.lengths.reduce((a, n) => a + n, 0) / Math.max(1, this.lengths.length);
  }

  /** The best sections for a question, best first. */
  search(question: string, limit = 3): DirectiveHit[] {
    const words = this.words(this.normalizer.normalizeForMatching(question));
    const queryTerms = [...new Set([...words, ...bigrams(words)])];
    if (queryTerms.length === 0) return [];
    const scores = new Map<number, number>();
    const matchedWeight = new Map<number, number>();
    const maxIdf = Math.log(1 + (this.sections.length + 0.5) / 0.5);
    let totalWeight = 0;
    for (const term of queryTerms) {
      const isWord = !term.includes(" ");
      const list = this.postings.get(term);
      const idf = list ? this.idf(list.length) : maxIdf;
      if (isWord) totalWeight += idf;
      if (!list) continue;
      for (const { doc, tf } of list) {
        const norm = this.k1 * (1 - this.b + (this.b * (this.lengths[doc] ?? 0)) / this.averageLength);
        scores.set(doc, (scores.get(doc) ?? 0) + (idf * tf * (this.k1 + 1)) / (tf + norm));
        if (isWord) matchedWeight.set(doc, (matchedWeight.get(doc) ?? 0) + idf);
      }
    }
    return [...scores.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, limit)
      .map(([doc, score]) => {
        const section = this.sections[doc] as DirectiveSection;
        return { ...section, score, coverage: totalWeight > 0 ? (matchedWeight.get(doc) ?? 0) / totalWeight : 0 };
      });
  }

  /** A section by its number ("II.1.j"), for the "next passage" button. */
  section(id: string): DirectiveSection | undefined {
    return this.sections.find((s) => s.section === id);
  }

  private idf(documentFrequency: number): number {
    const n = this.sections.length;
    return Math.log(1 + (n - documentFrequency + 0.5) / (documentFrequency + 0.5));
  }

  private terms(text: string): string[] {
    const words = this.words(this.normalizer.expand(fold(text)));
    return [...words, ...bigrams(words)];
  }

  private words(normalized: string): string[] {
    return normalized.split(" ").filter((w) => w.length > 0 && !this.stopwords.has(w));
  }
}

function bigrams(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < words.length; i++) out.push(`${words[i]} ${words[i + 1]}`);
  return out;
}

/** The start of a passage, cut at a sentence (or else a word) boundary near `max` characters. */
export function trimPassage(text: string, max = 600): string {
  const flat = text.replace(/\s*\n\s*/g, "\n").trim();
  if (flat.length <= max) return flat;
  const head = flat.slice(0, max);
  const sentence = Math.max(head.lastIndexOf(". "), head.lastIndexOf(";"), head.lastIndexOf("\n"));
  const cut = sentence > max * 0.5 ? head.slice(0, sentence + 1) : head.slice(0, Math.max(head.lastIndexOf(" "), max * 0.5));
  return `${cut.trim()} …`;
}
