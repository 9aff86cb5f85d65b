/**
 * Vietnamese-aware text normalisation. Everything the classifier sees goes through `normalizeForMatching`:
 * NFC, lower case, tone marks and đ folded, punctuation dropped, chat shorthand expanded, politeness
 * wrappers ("dạ em chào ad, cho em hỏi ... ạ, em cảm ơn") removed when a question remains.
 */

export interface LexiconData {
  /** shorthand token (already folded) → expansion (folded words) */
  shorthand: Record<string, string>;
  /** folded phrases that wrap a question without carrying its meaning */
  fillers: string[];
  /**
   * Shorthand that means something else next to certain words: "mk" is "mật khẩu" but "mình" in
   * "cho mk hỏi", "mk là phụ huynh". `after`: the word before it; `before`: the word(s) after it.
   */
  contextual?: Record<string, { means: string; after?: string[]; before?: string[] }>;
}

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NON_WORD = /[^\p{L}\p{N}]+/gu;

/** Unicode NFC; input from some keyboards and platforms arrives decomposed (NFD). */
export function toNfc(text: string): string {
  return text.normalize("NFC");
}

/** True when the text carries Vietnamese-only letters (tone marks, ă â đ ê ô ơ ư). */
export function hasVietnameseMarks(text: string): boolean {
  return /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/i.test(toNfc(text));
}

/** Lower case, without tone marks or đ, punctuation as single spaces. */
export function fold(text: string): string {
  return toNfc(text)
    .toLowerCase()
    .normalize("NFD")
    .replace(COMBINING_MARKS, "")
    .replace(/đ/g, "d")
    .replace(NON_WORD, " ")
    .trim()
    .replace(/\s+/g, " ");
}

/**
 * The words as written, lower case with their tone marks, when the text has any: the classifier adds them
 * beside the folded forms, so tone marks tell "bán" from "bạn" when present and nothing is lost when absent.
 */
export function tonedWords(text: string): string[] {
  if (!hasVietnameseMarks(text)) return [];
  return toNfc(text).toLowerCase().replace(NON_WORD, " ").trim().split(" ").filter(Boolean);
}

interface ContextRule {
  means: string;
  after: Set<string>;
  before: string[][];
}

export class Normalizer {
  private readonly shorthand: Map<string, string>;
  private readonly contextual: Map<string, ContextRule>;
  private readonly fillerPatterns: RegExp[];

  constructor(lexicon: LexiconData) {
    this.shorthand = new Map(Object.entries(lexicon.shorthand).map(([k, v]) => [fold(k), fold(v)]));
    this.contextual = new Map(
      Object.entries(lexicon.contextual ?? {}).map(([k, rule]) => [
        fold(k),
        {
          means: fold(rule.means),
          after: new Set((rule.after ?? []).map(fold)),
          before: (rule.before ?? []).map((b) => fold(b).split(" ")),
        },
      ]),
    );
    // Longest first so "em cam on nhieu" goes before "cam on".
    const fillers = [...new Set(lexicon.fillers.map(fold).filter((f) => f.length > 0))].sort(
      (a, b) => b.length - a.length,
    );
    this.fillerPatterns = fillers.map((f) => new RegExp(`(^| )${escapeRegExp(f)}(?= |$)`, "g"));
  }

  /** Folded tokens with shorthand expanded ("mk vnedu ko dc" → "mat khau vnedu khong duoc"). */
  expand(folded: string): string {
    if (folded === "") return "";
    const tokens = folded.split(" ");
    return tokens
      .map((token, i) => this.inContext(tokens, i) ?? this.shorthand.get(token) ?? splitDigits(repairTelex(token)))
      .join(" ");
  }

  private inContext(tokens: string[], i: number): string | undefined {
    const rule = this.contextual.get(tokens[i] as string);
    if (!rule) return undefined;
    if (i > 0 && rule.after.has(tokens[i - 1] as string)) return rule.means;
    const next = rule.before.some((words) => words.every((w, k) => tokens[i + 1 + k] === w));
    return next ? rule.means : undefined;
  }

  /** Removes politeness wrappers, but only when at least two words of a question remain. */
  stripFillers(expanded: string): string {
    let rest = ` ${expanded} `;
    for (const pattern of this.fillerPatterns) rest = rest.replace(pattern, " ");
    rest = rest.trim().replace(/\s+/g, " ");
    return rest.split(" ").filter(Boolean).length >= 2 ? rest : expanded;
  }

  normalizeForMatching(text: string): string {
    return this.stripFillers(this.expand(fold(text)));
  }
}

const SYLLABLE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$/;

/**
 * Undoes Telex typed without an input method ("chuyeenr truwowngf" → "chuyen truong", "maatj khaaur" →
 * "mat khau"): doubled vowels and dd, w after a vowel, and a tone key (s f r x j) at the end. Only applied
 * when the result is a well-formed Vietnamese syllable and the token itself is not one, so English words
 * and correct unaccented Vietnamese pass through unchanged.
 */
export function repairTelex(token: string): string {
  if (token.length < 3 || SYLLABLE.test(token) || !/[aeiouy]/.test(token)) return token;
  const repaired = token
    .replace(/^dd/, "d")
    .replace(/([aeo])\1/g, "$1")
    .replace(/([aeiouy])w/g, "$1")
    .replace(/w/g, "")
    .replace(/([a-z])[sfrxj]$/, "$1");
  return SYLLABLE.test(repaired) ? repaired : token;
}

/** "lop10" → "lop 10", "c3" stays (handled by the shorthand table). */
function splitDigits(token: string): string {
  const m = /^([a-z]{2,})(\d+)$/.exec(token);
  return m ? `${m[1]} ${m[2]}` : token;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
