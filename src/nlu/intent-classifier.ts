import { DEFAULT_FEATURE_OPTIONS, extractFeatures, Vocabulary, type FeatureOptions, type VocabularySnapshot } from "./features.js";
import { LanguageDetector, type LanguageSnapshot, type Locale } from "./language-detector.js";
import { fold, Normalizer, tonedWords, type LexiconData } from "./normalize.js";
import { DEFAULT_TRAINING_OPTIONS, SoftmaxRegression, type SoftmaxSnapshot, type TrainingOptions } from "./softmax-regression.js";

export const OUT_OF_SCOPE = "out_of_scope";

export interface IntentDefinition {
  id: string;
  examples: { vi: string[]; en: string[] };
}

export interface LabelledText {
  label: string;
  text: string;
}

export interface Classification {
  text: string;
  intent: string;
  confidence: number;
  /** the language the text is written in, when it can be told */
  locale: Locale | undefined;
  /** the best in-scope guess even when `intent` fell back to out_of_scope */
  bestGuess: string;
  normalized: string;
}

export interface ClassifierSettings {
  /** below this probability the answer is out_of_scope */
  threshold: number;
  /** below this share of known words the answer is out_of_scope, unless the model is `confidentEnough` */
  minWordCoverage: number;
  confidentEnough: number;
  features: FeatureOptions;
  training: TrainingOptions;
}

export const DEFAULT_CLASSIFIER_SETTINGS: ClassifierSettings = {
  threshold: 0.45,
  minWordCoverage: 0.34,
  confidentEnough: 0.8,
  features: DEFAULT_FEATURE_OPTIONS,
  training: DEFAULT_TRAINING_OPTIONS,
};

/** A trained classifier as plain data, to train in a worker thread and use the model in the main one. */
export interface ClassifierSnapshot {
  labels: string[];
  settings: ClassifierSettings;
  lexicon: LexiconData;
  vocabulary: VocabularySnapshot;
  model: SoftmaxSnapshot;
  languages: LanguageSnapshot;
}

/** Features of training texts kept between trainings (a retrain after a small change re-reads little). */
export type FeatureCache = Map<string, Map<string, number>>;

/** The product's intent engine: normaliser + tf-idf word/char n-grams + softmax regression. */
export class IntentClassifier {
  private readonly probs: Float64Array;

  private constructor(
    private readonly normalizer: Normalizer,
    private readonly vocabulary: Vocabulary,
    private readonly model: SoftmaxRegression,
    private readonly labels: string[],
    private readonly languages: LanguageDetector,
    private readonly settings: ClassifierSettings,
    private readonly lexicon: LexiconData,
  ) {
    this.probs = new Float64Array(labels.length);
  }

  /** Everything needed to rebuild this classifier elsewhere; the model's arrays are shared, not copied. */
  toSnapshot(): ClassifierSnapshot {
    return {
      labels: this.labels,
      settings: this.settings,
      lexicon: this.lexicon,
      vocabulary: this.vocabulary.toSnapshot(),
      model: this.model.toSnapshot(),
      languages: this.languages.toSnapshot(),
    };
  }

  /** Rebuilds a classifier from its snapshot, yielding between slices of the vocabulary. */
  static async fromSnapshotInSlices(s: ClassifierSnapshot): Promise<IntentClassifier> {
    const vocabulary = await Vocabulary.fromSnapshotInSlices(s.vocabulary);
    return new IntentClassifier(
      new Normalizer(s.lexicon),
      vocabulary,
      SoftmaxRegression.fromSnapshot(s.model),
      s.labels,
      LanguageDetector.fromSnapshot(s.languages),
      s.settings,
      s.lexicon,
    );
  }

  static train(
    data: LabelledText[],
    lexicon: LexiconData,
    settings: ClassifierSettings = DEFAULT_CLASSIFIER_SETTINGS,
    languageSamples?: Record<Locale, string[]>,
    featureCache?: FeatureCache,
  ): IntentClassifier {
    if (data.length === 0) throw new Error("cannot train on an empty data set");
    const normalizer = new Normalizer(lexicon);
    const labels = [...new Set(data.map((d) => d.label))].sort();
    const labelIndex = new Map(labels.map((l, i) => [l, i]));
    const vocabulary = new Vocabulary();
    const docs = data.map((d) => {
      const cached = featureCache?.get(d.text);
      if (cached) return cached;
      const features = extractFeatures(normalizer.normalizeForMatching(d.text), settings.features, tonedWords(d.text));
      featureCache?.set(d.text, features);
      return features;
    });
    for (const doc of docs) vocabulary.learn(doc);
    vocabulary.fitIdf(docs);
    const vectors = docs.map((doc) => vocabulary.vectorize(doc));
    const y = data.map((d) => labelIndex.get(d.label) as number);
    const model = SoftmaxRegression.train(vectors, y, labels.length, vocabulary.size, settings.training);
    const languages = new LanguageDetector(languageSamples ?? { vi: data.map((d) => d.text), en: [] });
    return new IntentClassifier(normalizer, vocabulary, model, labels, languages, settings, lexicon);
  }

  static fromIntents(
    intents: IntentDefinition[],
    lexicon: LexiconData,
    settings: ClassifierSettings = DEFAULT_CLASSIFIER_SETTINGS,
    featureCache?: FeatureCache,
  ): IntentClassifier {
    const data: LabelledText[] = [];
    for (const intent of intents) {
      for (const text of [...intent.examples.vi, ...intent.examples.en]) data.push({ label: intent.id, text });
    }
    const samples = {
      vi: intents.flatMap((i) => i.examples.vi),
      en: intents.flatMap((i) => i.examples.en),
    };
    return IntentClassifier.train(data, lexicon, settings, samples, featureCache);
  }

  get intents(): readonly string[] {
    return this.labels;
  }

  detectLocale(text: string): Locale | undefined {
    return this.languages.detect(text);
  }

  normalize(text: string): string {
    return this.normalizer.normalizeForMatching(text);
  }

  classify(text: string): Classification {
    const expanded = this.normalizer.expand(fold(text));
    const stripped = this.normalizer.stripFillers(expanded);
    // Politeness usually wraps a question ("dạ cho em hỏi … ạ, em cảm ơn"), but sometimes it is the message
    // ("cám ơn bot, mình hiểu rồi"): score the text with and without it and keep the surer reading.
    const toned = tonedWords(text);
    let best = this.score(stripped, toned);
    if (stripped !== expanded) {
      const whole = this.score(expanded, toned);
      if (whole.confidence > best.confidence) best = whole;
    }
    const { threshold, minWordCoverage, confidentEnough } = this.settings;
    const inScope =
      best.confidence >= threshold && (best.coverage >= minWordCoverage || best.confidence >= confidentEnough);
    return {
      text,
      intent: inScope ? best.intent : OUT_OF_SCOPE,
      confidence: round(best.confidence),
      locale: this.languages.detect(text),
      bestGuess: best.intent,
      normalized: best.normalized,
    };
  }

  private score(normalized: string, toned: readonly string[]): { intent: string; confidence: number; coverage: number; normalized: string } {
    const features = extractFeatures(normalized, this.settings.features, toned);
    const probs = this.model.probabilities(this.vocabulary.vectorize(features), this.probs);
    let best = 0;
    for (let c = 1; c < probs.length; c++) if ((probs[c] as number) > (probs[best] as number)) best = c;
    return {
      intent: this.labels[best] as string,
      confidence: normalized === "" ? 0 : (probs[best] as number),
      coverage: this.vocabulary.wordCoverage(features),
      normalized,
    };
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
