// What the registry part of the admin API answers, as the console reads it.

export type PersonRole = "it_lead" | "school_leader" | "office_staff" | "department_staff";
export const PERSON_ROLES: PersonRole[] = ["it_lead", "school_leader", "office_staff", "department_staff"];

export interface Unit {
  code: string;
  name: string;
  type: "department" | "office" | "school";
  level: string | null;
  parentCode: string | null;
}

export interface ImportProblem {
  row: number;
  column: string;
  code: string;
  params?: Record<string, string | number>;
  problem: string;
}

export interface ImportReport {
  ok: boolean;
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  problems: ImportProblem[];
}

export interface Person {
  ref: string;
  name: string;
  role: PersonRole;
  unit: { code: string; name: string };
  hasPhone: boolean;
  hasEmail: boolean;
  linked: boolean;
  channels: string[];
  /** channels the person's reminders may not use */
  reachOff: string[];
  /** the person's own order of the channels, first tried first; [] for the default */
  reachOrder: string[];
}

export interface PeoplePage {
  people: Person[];
  total: number;
  limit: number;
  offset: number;
}

export interface IssuedCode {
  code: string;
  expiresAt: string;
  alreadyLinked: boolean;
  telegramLink?: string;
  zaloLink?: string;
}

export interface LetterPerson {
  ref: string;
  name: string;
  role: PersonRole;
  code: string;
  expiresAt: string;
  telegramLink?: string;
  zaloLink?: string;
  qrSvg?: string;
}

export interface LinkLetter {
  unit: { code: string; name: string };
  people: LetterPerson[];
  alreadyLinked: { ref: string; name: string; role: PersonRole }[];
}
