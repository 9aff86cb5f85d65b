import { fold, hasVietnameseMarks } from "./normalize.js";

export type Locale = "vi" | "en";

export type LanguageSnapshot = Record<Locale, { grams: string; logProb: Float64Array; unseen: number }>;

/**
 * Vietnamese or English, per message. Tone marks settle it at once; unaccented text ("chuyen truong can gi")
 * is scored by a character-trigram naive Bayes model trained on the intents' own vi and en phrases.
 * Returns undefined when the text is too short to tell ("ok", "?"), so the caller keeps the user's language.
 */
export class LanguageDetector {
  private readonly logProb = new Map<Locale, Map<string, number>>();
  private readonly unseen = new Map<Locale, number>();

  /** The model as plain data (n-grams joined by a line break, their log probabilities), for another thread. */
  toSnapshot(): LanguageSnapshot {
    const part = (locale: Locale) => {
      const table = this.logProb.get(locale) ?? new Map<string, number>();
      return { grams: [...table.keys()].join("\n"), logProb: Float64Array.from(table.values()), unseen: this.unseen.get(locale) as number };
    };
    return { vi: part("vi"), en: part("en") };
  }

  static fromSnapshot(snapshot: LanguageSnapshot): LanguageDetector {
    const detector = new LanguageDetector({ vi: [], en: [] });
    for (const locale of ["vi", "en"] as const) {
      const { grams, logProb, unseen } = snapshot[locale];
      const table = new Map<string, number>();
      if (grams !== "") grams.split("\n").forEach((gram, i) => table.set(gram, logProb[i] as number));
      detector.logProb.set(locale, table);
      detector.unseen.set(locale, unseen);
    }
    return detector;
  }

  constructor(samples: Record<Locale, string[]>) {
    for (const locale of ["vi", "en"] as const) {
      const counts = new Map<string, number>();
      let total = 0;
      for (const text of samples[locale]) {
        for (const gram of trigrams(fold(text))) {
          counts.set(gram, (counts.get(gram) ?? 0) + 1);
          total++;
        }
      }
      const denominator = total + counts.size + 1;
      const table = new Map<string, number>();
      for (const [gram, c] of counts) table.set(gram, Math.log((c + 1) / denominator));
      this.logProb.set(locale, table);
      this.unseen.set(locale, Math.log(1 / denominator));
    }
  }

  detect(text: string): Locale | undefined {
    if (hasVietnameseMarks(text)) {
      // An English question may name Vietnamese things ("the phone number of the Sở GDĐT?", "my son's học bạ"):
      // it is English when its unmarked words hold at least two English function words and read as English.
      const unmarked = text.split(/\s+/).filter((w) => !hasVietnameseMarks(w));
      const functionWords = unmarked.filter((w) => ENGLISH_FUNCTION_WORDS.has(fold(w))).length;
      return functionWords >= 2 && this.score(unmarked.join(" ")) === "en" ? "en" : "vi";
    }
    return this.score(text);
  }

  private score(text: string): Locale | undefined {
    const folded = fold(text);
    const letters = folded.replace(/[^a-z]/g, "");
    if (letters.length < 4) return undefined;
    const grams = trigrams(folded);
    let vi = 0;
    let en = 0;
    for (const gram of grams) {
      vi += this.logProb.get("vi")?.get(gram) ?? (this.unseen.get("vi") as number);
      en += this.logProb.get("en")?.get(gram) ?? (this.unseen.get("en") as number);
    }
    // Require a clear margin per trigram; otherwise the message is ambiguous (names, codes, "vnedu").
    const margin = (vi - en) / Math.max(1, grams.length);
    if (margin > 0.15) return "vi";
    if (margin < -0.15) return "en";
    return undefined;
  }
}

const ENGLISH_FUNCTION_WORDS = new Set([
  "the", "is", "are", "what", "where", "when", "who", "which", "how", "do", "does", "i", "my", "of", "to", "can",
  "for", "a", "an", "and", "in", "on", "at", "you", "your", "me", "please", "there", "this", "with", "from",
]);

function trigrams(folded: string): string[] {
  const padded = ` ${folded} `;
  const out: string[] = [];
  for (let i = 0; i + 3 <= padded.length; i++) out.push(padded.slice(i, i + 3));
  return out;
}
