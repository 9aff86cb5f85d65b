// The knowledge API's answers, as the console reads them (src/http/admin/openapi-parts/knowledge.ts).
export interface Bilingual {
  vi: string;
  en: string;
}

export interface IntentSummary {
  id: string;
  title?: Bilingual;
  exampleCount: number;
  answer: Bilingual;
  source: "repository" | "overlay";
}

export interface IntentDetail {
  id: string;
  title?: Bilingual;
  examples: { vi: string[]; en: string[] };
  answer: Bilingual;
  buttons: { label: Bilingual; payload: string }[];
  source: "repository" | "overlay";
}

export interface Problem {
  code: string;
  field: string;
  message: string;
}

export interface Preview {
  valid: boolean;
  problems: Problem[];
  channels: Record<"telegram" | "zalo" | "web", Bilingual>;
}

export interface Accuracy {
  before: number | null;
  after: number | null;
}

export interface Applied {
  version: number;
  applied: true;
  accuracy: Accuracy;
}

export interface KnowledgeStatus {
  version: number;
  training: boolean;
  appliedVersion: number;
  lastAppliedAt: string | null;
}

export interface VersionEntry {
  version: number;
  at: string;
  by: string;
  kind: "add_examples" | "new_intent" | "edit_answer" | "revert";
  summary: string;
  note?: string;
  reverts?: number;
  revertedAt?: string;
}
