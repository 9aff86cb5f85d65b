/**
 * Imports the organisation tree (Department → offices → schools) from a spreadsheet exported as CSV.
 * The organisation is data the Department edits, so the import is strict and all-or-nothing: every problem in
 * the file is collected with its row and column, and a file with any problem writes nothing. A clean file is
 * upserted by code in one transaction; importing the same file again changes nothing. Units that are in the
 * database but not in the file are left alone (never deleted).
 */
import { eq } from "drizzle-orm";
import type { OpenDatabase } from "../db/database.js";
import { units } from "../db/schema.js";
import { fold } from "../nlu/normalize.js";
import { lookupAlias, readTable, sortProblems, type ImportProblem, type TableInput } from "./table-reader.js";

export { cleanCell, type ImportProblem } from "./table-reader.js";

export type UnitType = "department" | "office" | "school";
export type UnitLevel = "mam_non" | "tieu_hoc" | "thcs" | "thpt" | "gdtx";
export type UnitColumn = "code" | "name" | "type" | "level" | "parent_code";

export const UNIT_COLUMNS: readonly UnitColumn[] = ["code", "name", "type", "level", "parent_code"];
export const UNIT_TYPES: readonly UnitType[] = ["department", "office", "school"];
export const UNIT_LEVELS: readonly UnitLevel[] = ["mam_non", "tieu_hoc", "thcs", "thpt", "gdtx"];

export interface ImportReport {
  ok: boolean;
  /** with dryRun: what the import would do */
  created: number;
  updated: number;
  unchanged: number;
  problems: ImportProblem[];
}

export interface ImportOptions {
  /** validate and count, write nothing */
  dryRun: boolean;
  /** createdAt / updatedAt of the rows written */
  now: Date;
  /** an office admin's import: only people already in these units, and only within them; never units */
  allowedUnitCodes?: ReadonlySet<string> | undefined;
}

/** Header aliases, folded (lower case, no tone marks, punctuation as spaces: "Mã đơn vị" → "ma don vi"). */
const HEADER_ALIASES: Record<UnitColumn, readonly string[]> = {
  code: ["code", "ma don vi", "ma truong", "ma"],
  name: ["name", "ten don vi", "ten truong", "ten"],
  type: ["type", "loai", "loai don vi"],
  level: ["level", "cap hoc", "cap"],
  parent_code: ["parent code", "ma don vi cap tren", "don vi cap tren", "ma cap tren"],
};

const TYPE_ALIASES: Record<UnitType, readonly string[]> = {
  department: ["department", "so", "so gddt", "so gd dt", "so giao duc va dao tao"],
  office: ["office", "phong", "phong gddt", "phong gd dt", "phong giao duc va dao tao"],
  school: ["school", "truong", "trung tam"],
};

const LEVEL_ALIASES: Record<UnitLevel, readonly string[]> = {
  mam_non: ["mam non"],
  tieu_hoc: ["tieu hoc"],
  thcs: ["thcs", "trung hoc co so"],
  thpt: ["thpt", "trung hoc pho thong"],
  gdtx: ["gdtx", "tt gdtx", "trung tam gdtx", "giao duc thuong xuyen", "gdnn gdtx", "tt gdnn gdtx"],
};

/**
 * A unit code: what chat buttons carry ("#unfollow:" + code must fit Telegram's 64-byte callback_data) and what
 * people type after /follow, so ASCII letters, digits, ".", "_" and "-", at most 32 characters.
 */
export const UNIT_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

function shorten(code: string): string {
  return code.length > 40 ? `${code.slice(0, 40)}…` : code;
}

function invalidCode(code: string): string {
  const shown = shorten(code);
  return (
    `invalid code "${shown}": at most 32 characters, only letters A-Z without tone marks, digits, ".", "_" and "-", ` +
    `starting with a letter or digit (${code.length} characters given)`
  );
}

const REQUIRED_COLUMNS: readonly UnitColumn[] = ["code", "name", "type", "parent_code"];

const TYPE_LABEL: Record<UnitType, string> = { department: "the department", office: "an office", school: "a school" };

/** "Phòng GDĐT", "phong", "office" → "office"; undefined when not a known type. */
export function parseUnitType(value: string): UnitType | undefined {
  return lookupAlias(TYPE_ALIASES, fold(value));
}

/** "Tiểu học", "tieu hoc", "tieu_hoc", "TT GDTX" → canonical level; undefined when not a known level. */
export function parseUnitLevel(value: string): UnitLevel | undefined {
  return lookupAlias(LEVEL_ALIASES, fold(value));
}

/** `row 7, column level: unknown level "cap 4"` (or `row 1: ...` for a problem with the whole file). */
export function formatProblem(p: ImportProblem): string {
  return p.column === "" ? `row ${p.row}: ${p.problem}` : `row ${p.row}, column ${p.column}: ${p.problem}`;
}

interface FileUnit {
  row: number;
  code: string;
  name: string;
  type: UnitType | undefined;
  level: UnitLevel | null;
  parentCode: string | null;
}

interface DbUnit {
  id: number;
  code: string;
  name: string;
  nameFolded: string;
  type: UnitType;
  level: UnitLevel | null;
  parentId: number | null;
}

/** The tree as it would be after the import: database units overlaid with the file's. */
interface FinalUnit {
  type: UnitType | undefined;
  parentCode: string | null;
  /** the file row, or undefined for a unit only in the database */
  row: number | undefined;
}

export function importUnits(
  database: OpenDatabase,
  input: TableInput,
  options: ImportOptions,
): ImportReport {
  // The unit tree is the Department's: a scoped (office) import must never reach it, whatever the route checks.
  if (options.allowedUnitCodes) return rejected([{ row: 1, column: "code", code: "units_department_only", problem: "units are imported by the Department only" }]);
  // 1-2. Records without blank lines, and the header: which cell holds which column.
  const table = readTable(input, {
    aliases: HEADER_ALIASES,
    required: REQUIRED_COLUMNS,
    emptyMessage: "the file is empty (expected a header: code, name, type, level, parent_code)",
    noRowsMessage: "no units under the header",
  });
  if (!table.ok) return rejected(table.problems);
  const { header, cell } = table;
  const problems: ImportProblem[] = [];

  // 3. Each row on its own.
  const rows: FileUnit[] = [];
  for (const r of table.rows) {
    const code = cell(r, "code");
    const name = cell(r, "name");
    const typeText = cell(r, "type");
    const levelText = cell(r, "level");
    const parentCode = cell(r, "parent_code");
    if (code === "") problems.push({ row: r.line, column: "code", code: "empty", problem: "code is empty" });
    else if (!UNIT_CODE.test(code)) problems.push({ row: r.line, column: "code", code: "invalid_code", params: { value: shorten(code), length: code.length }, problem: invalidCode(code) });
    if (name === "") problems.push({ row: r.line, column: "name", code: "empty", problem: "name is empty" });
    const type = parseUnitType(typeText);
    if (typeText === "") {
      problems.push({ row: r.line, column: "type", code: "type_empty", problem: "type is empty (department, office or school)" });
    } else if (!type) {
      problems.push({ row: r.line, column: "type", code: "unknown_type", params: { value: typeText }, problem: `unknown type "${typeText}"` });
    }
    const level = levelText === "" ? undefined : parseUnitLevel(levelText);
    if (levelText !== "" && !level) {
      problems.push({ row: r.line, column: "level", code: "unknown_level", params: { value: levelText }, problem: `unknown level "${levelText}"` });
    } else if (level && (type === "department" || type === "office")) {
      problems.push({ row: r.line, column: "level", code: "level_not_allowed", params: { type, value: levelText }, problem: `level must be empty for ${TYPE_LABEL[type]} (got "${levelText}")` });
    } else if (type === "school" && levelText === "" && header.columns.has("level")) {
      problems.push({ row: r.line, column: "level", code: "level_required", problem: "a school needs a level (mam_non, tieu_hoc, thcs, thpt or gdtx)" });
    }
    rows.push({ row: r.line, code, name, type, level: level ?? null, parentCode: parentCode === "" ? null : parentCode });
  }
  if (!header.columns.has("level") && rows.some((u) => u.type === "school")) {
    problems.push({
      row: header.line,
      column: "level",
      code: "level_column_missing",
      problem: 'missing column "level" (or "Cấp học"), needed because the file has schools',
    });
  }

  // 4. Duplicate codes within the file (also codes that differ only in letter case).
  const fileUnits = new Map<string, FileUnit>();
  const fileByLower = new Map<string, FileUnit>();
  for (const u of rows) {
    if (u.code === "") continue;
    const same = fileUnits.get(u.code);
    const similar = fileByLower.get(u.code.toLowerCase());
    if (same) {
      problems.push({ row: u.row, column: "code", code: "duplicate", params: { value: u.code, firstRow: same.row }, problem: `duplicate code "${u.code}" (first on row ${same.row})` });
    } else if (similar) {
      problems.push({
        row: u.row,
        column: "code",
        code: "duplicate_case",
        params: { value: u.code, otherRow: similar.row, other: similar.code },
        problem: `duplicate code "${u.code}": row ${similar.row} has "${similar.code}" (codes differ only in letter case)`,
      });
    } else {
      fileUnits.set(u.code, u);
      fileByLower.set(u.code.toLowerCase(), u);
    }
  }

  // The rest reads the database, and writes it, in one transaction so nothing changes in between.
  return database.db.transaction(
    (tx) => {
      const existing: DbUnit[] = tx
        .select({
          id: units.id,
          code: units.code,
          name: units.name,
          nameFolded: units.nameFolded,
          type: units.type,
          level: units.level,
          parentId: units.parentId,
        })
        .from(units)
        .all();
      const dbByCode = new Map(existing.map((u) => [u.code, u]));
      const dbById = new Map(existing.map((u) => [u.id, u]));
      const dbByLower = new Map(existing.map((u) => [u.code.toLowerCase(), u]));
      const dbParentCode = (u: DbUnit): string | null =>
        u.parentId === null ? null : (dbById.get(u.parentId)?.code ?? null);

      // 5. A new code that differs from an existing one only in letter case is almost surely a typo.
      for (const u of fileUnits.values()) {
        const similar = dbByLower.get(u.code.toLowerCase());
        if (!dbByCode.has(u.code) && similar) {
          problems.push({
            row: u.row,
            column: "code",
            code: "case_differs_from_database",
            params: { value: u.code, existing: similar.code },
            problem: `code "${u.code}" differs only in letter case from "${similar.code}", already in the database`,
          });
        }
      }

      // 6. The tree after the import.
      const final = new Map<string, FinalUnit>();
      for (const u of existing) final.set(u.code, { type: u.type, parentCode: dbParentCode(u), row: undefined });
      for (const u of fileUnits.values()) final.set(u.code, { type: u.type, parentCode: u.parentCode, row: u.row });
      const finalByLower = new Map([...final.keys()].map((code) => [code.toLowerCase(), code]));

      // 7. Parents: known, not itself, not an ancestor of itself, not a school; the department has none.
      // Duplicate rows get the simple checks too, so one run shows every problem of the file.
      for (const u of rows) {
        if (u.parentCode === null || u.code === "") continue;
        if (u.type === "department") {
          problems.push({ row: u.row, column: "parent_code", code: "department_has_parent", params: { value: u.parentCode }, problem: `the department cannot be under another unit ("${u.parentCode}")` });
          continue;
        }
        if (u.parentCode === u.code) {
          problems.push({ row: u.row, column: "parent_code", code: "own_parent", params: { value: u.code }, problem: `unit "${u.code}" is its own parent` });
          continue;
        }
        const parent = final.get(u.parentCode);
        if (!parent) {
          const near = finalByLower.get(u.parentCode.toLowerCase());
          problems.push({
            row: u.row,
            column: "parent_code",
            code: near ? "unknown_parent_near" : "unknown_parent",
            params: { value: u.parentCode, ...(near ? { suggestion: near } : {}) },
            problem: `unknown parent "${u.parentCode}": not in the file nor in the database${near ? ` (did you mean "${near}"?)` : ""}`,
          });
          continue;
        }
        if (fileUnits.get(u.code) !== u) continue; // a duplicate row: the tree is checked with the first one
        const path = ancestorCycle(u.code, final);
        if (path) {
          problems.push({ row: u.row, column: "parent_code", code: "parent_cycle", params: { value: u.code, path: path.join(" → ") }, problem: `unit "${u.code}" is its own ancestor: ${path.join(" → ")}` });
          continue;
        }
        if (parent.type === "school") {
          problems.push({
            row: u.row,
            column: "parent_code",
            code: "parent_is_school",
            params: { value: u.parentCode },
            problem: `parent "${u.parentCode}" is a school; units can only be under the department or an office`,
          });
        }
      }

      // 8. One department.
      const departments = [...final.entries()]
        .filter(([, f]) => f.type === "department")
        .sort(([, a], [, b]) => (a.row ?? 0) - (b.row ?? 0));
      const [firstDepartment] = departments;
      if (firstDepartment) {
        const [firstCode, firstUnit] = firstDepartment;
        const where = firstUnit.row === undefined ? "already in the database" : `row ${firstUnit.row}`;
        for (const [code, f] of departments.slice(1)) {
          if (f.row === undefined) continue;
          problems.push({
            row: f.row,
            column: "type",
            code: firstUnit.row === undefined ? "second_department_database" : "second_department",
            params: { value: code, first: firstCode, ...(firstUnit.row === undefined ? {} : { firstRow: firstUnit.row }) },
            problem: `more than one department: "${code}" and "${firstCode}" (${where})`,
          });
        }
      }

      if (problems.length > 0) return rejected(problems);

      // 9. Plan and, unless a dry run, write: parents before children.
      const report: ImportReport = { ok: true, created: 0, updated: 0, unchanged: 0, problems: [] };
      const ids = new Map(existing.map((u) => [u.code, u.id]));
      const at = options.now.getTime();
      for (const u of topologicalOrder(fileUnits)) {
        const type = u.type as UnitType; // validated above
        const wanted = { name: u.name, nameFolded: fold(u.name), type, level: type === "school" ? u.level : null };
        const old = dbByCode.get(u.code);
        const parentId = u.parentCode === null ? null : (ids.get(u.parentCode) ?? null);
        if (!old) {
          report.created++;
          if (!options.dryRun) {
            const row = tx
              .insert(units)
              .values({ code: u.code, ...wanted, parentId, createdAt: at, updatedAt: at })
              .returning({ id: units.id })
              .get();
            ids.set(u.code, row.id);
          }
          continue;
        }
        const same =
          old.name === wanted.name &&
          old.nameFolded === wanted.nameFolded &&
          old.type === wanted.type &&
          old.level === wanted.level &&
          dbParentCode(old) === u.parentCode;
        if (same) {
          report.unchanged++;
        } else {
          report.updated++;
          if (!options.dryRun) tx.update(units).set({ ...wanted, parentId, updatedAt: at }).where(eq(units.id, old.id)).run();
        }
      }
      return report;
    },
    { behavior: options.dryRun ? "deferred" : "immediate" },
  );
}

/** The cycle through `code` (["A", "B", "A"]) when following parents leads back to it, else undefined. */
function ancestorCycle(code: string, final: Map<string, FinalUnit>): string[] | undefined {
  const path = [code];
  const seen = new Set<string>([code]);
  let current = final.get(code)?.parentCode ?? null;
  while (current !== null) {
    path.push(current);
    if (current === code) return path;
    if (seen.has(current)) return undefined; // a loop above this unit, reported on its own rows
    seen.add(current);
    current = final.get(current)?.parentCode ?? null;
  }
  return undefined;
}

/** File units with every parent that is in the file before its children (the tree is acyclic by now). */
function topologicalOrder(fileUnits: Map<string, FileUnit>): FileUnit[] {
  const ordered: FileUnit[] = [];
  const done = new Set<string>();
  const visit = (u: FileUnit) => {
    if (done.has(u.code)) return;
    done.add(u.code);
    const parent = u.parentCode === null ? undefined : fileUnits.get(u.parentCode);
    if (parent) visit(parent);
    ordered.push(u);
  };
  for (const u of fileUnits.values()) visit(u);
  return ordered;
}

function rejected(problems: ImportProblem[]): ImportReport {
  return { ok: false, created: 0, updated: 0, unchanged: 0, problems: sortProblems(problems, UNIT_COLUMNS) };
}
