import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { localDateParts } from "../core/time/zoned-time.js";
import type { Db } from "../db/database.js";
import { SqliteTaskStore, type TaskStore } from "./task-store.js";

/**
 * School years run 1 September – 31 August. A task's "dd/MM" belongs to the year: months from September
 * fall in its first calendar year, January to August in its second ("20/01" of 2025-2026 is 2026-01-20).
 */

const bilingual = z.object({ vi: z.string().trim().min(1), en: z.string().trim().min(1) });

const appliesTo = z.object({
  types: z.array(z.enum(["department", "office", "school"])).min(1),
  levels: z.array(z.enum(["mam_non", "tieu_hoc", "thcs", "thpt", "gdtx"])).min(1).optional(),
});

export const taskFile = z.object({
  /** The Department's choices, by name (true/false); a task's `if_chosen` names one of them. */
  choices: z.record(z.string(), z.boolean()).default({}),
  tasks: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z][a-z0-9_]*$/, "ids are snake_case"),
        section: z.string().optional(),
        title: bilingual,
        instructions: bilingual,
        applies_to: appliesTo,
        /** Who the task is for instead, when the Department has set the named choice to true. */
        if_chosen: z.record(z.string(), appliesTo).optional(),
        due: z
          .string()
          .regex(/^\d{1,2}\/\d{1,2}$/, 'must look like "20/01" (day/month) or be null')
          .nullable()
          .default(null),
        due_note: bilingual.optional(),
      }),
    )
    .min(1),
});

export type TaskDefinition = z.infer<typeof taskFile>["tasks"][number];

/** Reads the task file; each task's audience is resolved against the Department's `choices`. */
export function loadTaskFile(path: string): TaskDefinition[] {
  const parsed = taskFile.safeParse(parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const { choices, tasks } = parsed.data;
  const ids = new Set<string>();
  for (const t of tasks) {
    if (ids.has(t.id)) throw new Error(`${path}: task id ${t.id} appears twice`);
    ids.add(t.id);
    for (const name of Object.keys(t.if_chosen ?? {})) {
      if (choices[name] === undefined) throw new Error(`${path}: task ${t.id}: if_chosen names an unknown choice ${name}`);
    }
  }
  return tasks.map((t) => {
    const chosen = Object.entries(t.if_chosen ?? {}).find(([name]) => choices[name] === true);
    return chosen ? { ...t, applies_to: chosen[1] } : t;
  });
}

export interface YearName {
  name: string;
  startYear: number;
}

export function parseYearName(name: string): YearName {
  const m = /^(\d{4})-(\d{4})$/.exec(name.trim());
  if (!m || Number(m[2]) !== Number(m[1]) + 1) throw new Error(`a school year looks like 2027-2028, not "${name}"`);
  return { name: `${m[1]}-${m[2]}`, startYear: Number(m[1]) };
}

/** The school year a moment falls in, in the given time zone. */
export function schoolYearOf(at: Date, timeZone: string): YearName {
  const { year, month } = localDateParts(at, timeZone);
  const startYear = month >= 9 ? year : year - 1;
  return { name: `${startYear}-${startYear + 1}`, startYear };
}

/** "20/01" in school year 2025-2026 → "2026-01-20". */
export function dueDateIn(due: string, year: YearName): string {
  const [day, month] = due.split("/").map(Number) as [number, number];
  const calendarYear = month >= 9 ? year.startYear : year.startYear + 1;
  const date = new Date(Date.UTC(calendarYear, month - 1, day));
  if (date.getUTCMonth() !== month - 1) throw new Error(`"${due}" is not a date in ${year.name}`);
  return date.toISOString().slice(0, 10);
}

/** Creates the school year and its tasks from the data file; an existing year is left as it is. */
export function openSchoolYear(db: Db, name: string, definitions: TaskDefinition[], now: Date): { id: number; created: boolean } {
  return openYearIn(new SqliteTaskStore(db), name, definitions, now);
}

/** The year's dates and each task's "dd/MM" resolved in it, written by the store. Throws on a bad name or date. */
export function openYearIn(store: TaskStore, name: string, definitions: TaskDefinition[], now: Date): { id: number; created: boolean } {
  const year = parseYearName(name);
  const rows = definitions.map((t) => ({
    key: t.id,
    section: t.section ?? null,
    title: t.title,
    instructions: t.instructions,
    appliesTo: { types: t.applies_to.types, levels: t.applies_to.levels ?? null },
    dueOn: t.due ? dueDateIn(t.due, year) : null,
    dueNote: t.due_note ?? null,
  }));
  return store.openYear({ name: year.name, startsOn: `${year.startYear}-09-01`, endsOn: `${year.startYear + 1}-08-31` }, rows, now);
}
