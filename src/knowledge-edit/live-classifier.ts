import type { Understanding } from "../core/conversation.js";
import type { Classification, IntentClassifier } from "../nlu/intent-classifier.js";
import type { Locale } from "../nlu/language-detector.js";

/**
 * The classifier the conversation asks, behind one reference: a retrained model is swapped in at once, and
 * until then the model in use keeps answering. Nothing else holds the model itself.
 */
export class LiveClassifier implements Understanding {
  constructor(private model: IntentClassifier) {}

  get current(): IntentClassifier {
    return this.model;
  }

  swap(model: IntentClassifier): void {
    this.model = model;
  }

  get intents(): readonly string[] {
    return this.model.intents;
  }

  classify(text: string): Classification {
    return this.model.classify(text);
  }

  normalize(text: string): string {
    return this.model.normalize(text);
  }

  detectLocale(text: string): Locale | undefined {
    return this.model.detectLocale(text);
  }
}
