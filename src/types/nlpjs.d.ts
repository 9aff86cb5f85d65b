// Minimal typings for the parts of nlp.js the benchmark uses (the packages ship none).
declare module "@nlpjs/core" {
  export function containerBootstrap(): Promise<{ use(plugin: unknown): void }>;
}
declare module "@nlpjs/lang-en" {
  export const LangEn: unknown;
}
declare module "@nlpjs/nlp" {
  export class Nlp {
    constructor(settings: Record<string, unknown>);
    addDocument(locale: string, utterance: string, intent: string): void;
    train(): Promise<void>;
    process(locale: string, utterance: string): Promise<unknown>;
  }
}
