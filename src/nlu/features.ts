/**
 * Sparse features of a normalised text: word unigrams and bigrams (meaning) plus character 3- to 5-grams
 * (robust to typos, missing letters and run-together words). Values are log-scaled counts, L2-normalised.
 */

export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

export interface FeatureOptions {
  charMin: number;
  charMax: number;
  charWeight: number;
  wordWeight: number;
  bigramWeight: number;
  /** weight of the words and bigrams as written with tone marks (0 turns them off) */
  tonedWeight: number;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  charMin: 3,
  charMax: 4,
  charWeight: 0.6,
  wordWeight: 1,
  bigramWeight: 0.8,
  tonedWeight: 0.3,
};

/** Feature names with weights for one normalised text; the vocabulary maps them to indices. */
export function extractFeatures(normalized: string, options: FeatureOptions, toned: readonly string[] = []): Map<string, number> {
  const out = new Map<string, number>();
  const add = (key: string, weight: number): void => {
    out.set(key, (out.get(key) ?? 0) + weight);
  };
  const words = normalized.split(" ").filter(Boolean);
  for (const w of words) add(`w:${w}`, options.wordWeight);
  for (let i = 0; i + 1 < words.length; i++) add(`b:${words[i]}_${words[i + 1]}`, options.bigramWeight);
  if (options.tonedWeight > 0) {
    for (const w of toned) add(`t:${w}`, options.tonedWeight);
    for (let i = 0; i + 1 < toned.length; i++) add(`tb:${toned[i]}_${toned[i + 1]}`, options.tonedWeight);
  }
  const padded = ` ${normalized} `;
  for (let n = options.charMin; n <= options.charMax; n++) {
    for (let i = 0; i + n <= padded.length; i++) add(`c:${padded.slice(i, i + n)}`, options.charWeight);
  }
  return out;
}

export interface VocabularySnapshot {
  names: string;
  idf: Float64Array;
}

export class Vocabulary {
  private readonly index = new Map<string, number>();
  /** inverse document frequency per feature index, set by `fitIdf` */
  idf: Float64Array = new Float64Array(0);

  get size(): number {
    return this.index.size;
  }

  /**
   * The feature names in index order (joined by a line break: normalised text never holds one) and their idf,
   * to rebuild the vocabulary in another thread; one string crosses threads far faster than many.
   */
  toSnapshot(): VocabularySnapshot {
    return { names: [...this.index.keys()].join("\n"), idf: this.idf };
  }

  /** Rebuilds it a slice at a time, letting other work run between slices (the chat thread stays responsive). */
  static async fromSnapshotInSlices(snapshot: VocabularySnapshot, slice = 20_000): Promise<Vocabulary> {
    const vocabulary = new Vocabulary();
    const names = snapshot.names === "" ? [] : snapshot.names.split("\n");
    for (let start = 0; start < names.length; start += slice) {
      const end = Math.min(names.length, start + slice);
      for (let i = start; i < end; i++) vocabulary.index.set(names[i] as string, i);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    vocabulary.idf = snapshot.idf;
    return vocabulary;
  }

  /** Adds unseen feature names (training only). */
  learn(features: Map<string, number>): void {
    for (const key of features.keys()) if (!this.index.has(key)) this.index.set(key, this.index.size);
  }

  fitIdf(documents: Map<string, number>[]): void {
    const df = new Float64Array(this.size);
    for (const doc of documents) {
      for (const key of doc.keys()) {
        const i = this.index.get(key);
        if (i !== undefined) df[i] = (df[i] ?? 0) + 1;
      }
    }
    const n = documents.length;
    this.idf = df.map((d) => Math.log((1 + n) / (1 + d)) + 1);
  }

  /** Known features only, tf-idf weighted and L2-normalised. */
  vectorize(features: Map<string, number>): SparseVector {
    const idx: number[] = [];
    const val: number[] = [];
    let norm = 0;
    for (const [key, count] of features) {
      const i = this.index.get(key);
      if (i === undefined) continue;
      const v = (1 + Math.log(count)) * (this.idf[i] ?? 1);
      idx.push(i);
      val.push(v);
      norm += v * v;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    return { indices: Int32Array.from(idx), values: Float64Array.from(val, (v) => v * scale) };
  }

  /** Share of the text's words the vocabulary has seen: low for gibberish and foreign topics. */
  wordCoverage(features: Map<string, number>): number {
    let words = 0;
    let known = 0;
    for (const key of features.keys()) {
      if (!key.startsWith("w:")) continue;
      words++;
      if (this.index.has(key)) known++;
    }
    return words === 0 ? 0 : known / words;
  }
}
