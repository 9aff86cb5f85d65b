/**
 * Imports the people of the registry (IT leads, school leaders, office and Department staff) from a spreadsheet
 * (CSV text, or rows read from an .xlsx by readSheetRows). Like the units import it is strict and all-or-nothing:
 * every problem is collected with its row and column, and a file with any problem writes nothing. A clean file is
 * upserted by ref in one transaction; importing the same file again changes nothing. People in the database but
 * not in the file are left alone.
 *
 * A person already linked to a chat user (people.user_id) keeps the link, and the user follows the person: the
 * user's role becomes the person's role and their staff membership (user_units) moves to the person's unit.
 *
 * With allowedUnitCodes (an office admin), only people already registered in those units may be changed, and
 * only within them: creating people and moving them in from elsewhere is the Department's.
 *
 * Phone and e-mail columns are optional: without the column, the stored values are kept; an empty cell in a
 * present column clears the value.
 */
import { and, eq } from "drizzle-orm";
import type { OpenDatabase } from "../db/database.js";
import { people, units, userUnits, users } from "../db/schema.js";
import { fold } from "../nlu/normalize.js";
import { lookupAlias, readTable, sortProblems, type TableHeader, type TableInput } from "./table-reader.js";
import type { ImportOptions, ImportProblem, ImportReport, UnitType } from "./units-import.js";

export type { ImportOptions, ImportProblem, ImportReport } from "./units-import.js";

export type PersonRole = "it_lead" | "school_leader" | "office_staff" | "department_staff";
export type PersonColumn = "ref" | "name" | "role" | "unit_code" | "phone" | "email";

export const PERSON_COLUMNS: readonly PersonColumn[] = ["ref", "name", "role", "unit_code", "phone", "email"];
export const PERSON_ROLES: readonly PersonRole[] = ["it_lead", "school_leader", "office_staff", "department_staff"];

/** The type of unit each role belongs to. */
export const ROLE_UNIT_TYPE: Record<PersonRole, UnitType> = {
  it_lead: "school",
  school_leader: "school",
  office_staff: "office",
  department_staff: "department",
};

/** Header aliases, folded (lower case, no tone marks, punctuation as spaces: "Mã cán bộ" → "ma can bo"). */
const HEADER_ALIASES: Record<PersonColumn, readonly string[]> = {
  ref: ["ref", "ma can bo", "ma dinh danh", "ma"],
  name: ["name", "ho va ten", "ho ten", "ten"],
  role: ["role", "vai tro", "chuc vu"],
  unit_code: ["unit code", "ma don vi", "ma truong", "don vi"],
  phone: ["phone", "so dien thoai", "dien thoai", "sdt"],
  email: ["email", "e mail", "thu dien tu"],
};

/**
 * Generic headers that yield to a specific one for the same column: a sheet with "Mã đơn vị" and "Đơn vị" has the
 * unit's code in the first and (almost always) its name in the second, which is then ignored.
 */
const WEAK_HEADERS: ReadonlySet<string> = new Set(["ma", "ten", "don vi"]);

/** Headers of a family-name column: a sheet that splits "Họ (và tên đệm)" from "Tên" must join them first. */
const FAMILY_NAME_HEADERS: ReadonlySet<string> = new Set(["ho", "ho dem", "ho va ten dem", "ho va chu dem", "ho va dem"]);

const ROLE_ALIASES: Record<PersonRole, readonly string[]> = {
  it_lead: ["it lead", "phu trach cntt", "giao vien tin hoc", "gv tin hoc"],
  school_leader: ["school leader", "lanh dao", "hieu truong", "pho hieu truong", "ban giam hieu"],
  office_staff: ["office staff", "chuyen vien phong", "chuyen vien phong gddt", "chuyen vien phong gd dt"],
  department_staff: ["department staff", "chuyen vien so", "can bo so", "chuyen vien so gddt", "can bo so gddt"],
};

const REQUIRED_COLUMNS: readonly PersonColumn[] = ["ref", "name", "role", "unit_code"];

const ROLE_LABEL: Record<PersonRole, string> = {
  it_lead: "an IT lead",
  school_leader: "a school leader",
  office_staff: "office staff",
  department_staff: "Department staff",
};
const TYPE_LABEL: Record<UnitType, string> = { department: "the Department", office: "an office", school: "a school" };

/** "Hiệu trưởng", "GV tin học", "office_staff" → canonical role; undefined when not a known role. */
export function parsePersonRole(value: string): PersonRole | undefined {
  return lookupAlias(ROLE_ALIASES, fold(value));
}

/** Vietnamese mobile (0 + 3/5/7/8/9 + 8 digits) or landline (02 + 9 digits), without the leading 0. */
const NATIONAL_NUMBER = /^(?:[35789]\d{8}|2\d{9})$/;

export type PhoneResult = { ok: true; phone: string } | { ok: false; code: "phone_malformed" | "phone_leading_zero" | "phone_not_vietnamese"; problem: string };

/**
 * A Vietnamese phone number: digits with spaces or dots between them, starting with 0 or +84 (or 84, as a number
 * cell in Excel keeps it). Normalised to the digits, keeping the form given: "0912 345 678" → "0912345678",
 * "+84 912.345.678" → "+84912345678" (also "84912345678" and "+84 0912…", a common slip).
 */
export function parsePhone(value: string): PhoneResult {
  if (!/^\+?[\d .]+$/.test(value) || !/\d/.test(value)) {
    return { ok: false, code: "phone_malformed", problem: `malformed phone "${value}" (digits, spaces and dots only, starting with 0 or +84)` };
  }
  const digits = value.replace(/[ .]/g, "");
  if (digits.startsWith("+84") || (digits.startsWith("84") && digits.length >= 11)) {
    const national = digits.replace(/^\+?84/, "").replace(/^0/, "");
    if (NATIONAL_NUMBER.test(national)) return { ok: true, phone: `+84${national}` };
  } else if (digits.startsWith("0")) {
    if (NATIONAL_NUMBER.test(digits.slice(1))) return { ok: true, phone: digits };
  } else if (NATIONAL_NUMBER.test(digits)) {
    return {
      ok: false,
      code: "phone_leading_zero",
      problem:
        `malformed phone "${value}": the leading 0 is missing (Excel drops it from numbers); ` +
        `format the column as Text and type the number again`,
    };
  }
  return {
    ok: false,
    code: "phone_not_vietnamese",
    problem: `malformed phone "${value}" (a Vietnamese number: 10 digits from 03, 05, 07, 08 or 09, 11 from 02, or +84)`,
  };
}

/** An e-mail address in ASCII with a dotted domain; the domain lower-cased. Undefined when malformed. */
export function parseEmail(value: string): string | undefined {
  const m = /^([A-Za-z0-9._%+'-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$/.exec(value);
  if (!m) return undefined;
  const [, local = "", domain = ""] = m;
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return undefined;
  if (domain.split(".").some((label) => label.startsWith("-") || label.endsWith("-"))) return undefined;
  return `${local}@${domain.toLowerCase()}`;
}

/** A sheet whose name is split into a family-name column and "Tên" (taken, as a weak header, for the name). */
function splitNameProblems(header: TableHeader<PersonColumn>): ImportProblem[] {
  const familyNameHeader = header.cells.findLast((cell) => FAMILY_NAME_HEADERS.has(fold(cell)));
  if (familyNameHeader === undefined || !header.weak.has("name")) return [];
  return [
    {
      row: header.line,
      column: "name",
      code: "name_split",
      params: { family: familyNameHeader, given: header.cells[header.columns.get("name") ?? 0] ?? "" },
      problem:
        `the name is split into "${familyNameHeader}" and "${header.cells[header.columns.get("name") ?? 0] ?? ""}"; ` +
        `join them into one column "Họ và tên"`,
    },
  ];
}

interface FilePerson {
  row: number;
  ref: string;
  name: string;
  role: PersonRole | undefined;
  unitCode: string;
  /** undefined: the cell is malformed (already reported) */
  phone: string | null | undefined;
  email: string | null | undefined;
}

export function importPeople(
  database: OpenDatabase,
  input: TableInput,
  options: ImportOptions,
): ImportReport {
  // 1-2. Records without blank lines, and the header: which cell holds which column.
  const table = readTable(input, {
    aliases: HEADER_ALIASES,
    weakAliases: WEAK_HEADERS,
    required: REQUIRED_COLUMNS,
    checkHeader: splitNameProblems,
    emptyMessage: "the file is empty (expected a header: ref, name, role, unit_code, phone, email)",
    noRowsMessage: "no people under the header",
  });
  if (!table.ok) return rejected(table.problems);
  const { header, cell } = table;
  const problems: ImportProblem[] = [];

  // 3. Each row on its own.
  const rows: FilePerson[] = [];
  for (const r of table.rows) {
    const ref = cell(r, "ref");
    const name = cell(r, "name");
    const roleText = cell(r, "role");
    const unitCode = cell(r, "unit_code");
    const phoneText = cell(r, "phone");
    const emailText = cell(r, "email");
    if (ref === "") problems.push({ row: r.line, column: "ref", code: "empty", problem: "ref is empty" });
    if (name === "") problems.push({ row: r.line, column: "name", code: "empty", problem: "name is empty" });
    const role = parsePersonRole(roleText);
    if (roleText === "") {
      problems.push({ row: r.line, column: "role", code: "role_empty", problem: `role is empty (${PERSON_ROLES.join(", ")})` });
    } else if (!role) {
      problems.push({ row: r.line, column: "role", code: "unknown_role", params: { value: roleText }, problem: `unknown role "${roleText}"` });
    }
    if (unitCode === "") problems.push({ row: r.line, column: "unit_code", code: "empty", problem: "unit_code is empty" });
    let phone: string | null | undefined = null;
    if (phoneText !== "") {
      const parsed = parsePhone(phoneText);
      if (parsed.ok) {
        phone = parsed.phone;
      } else {
        phone = undefined;
        problems.push({ row: r.line, column: "phone", code: parsed.code, params: { value: phoneText }, problem: parsed.problem });
      }
    }
    let email: string | null | undefined = null;
    if (emailText !== "") {
      email = parseEmail(emailText);
      if (email === undefined) problems.push({ row: r.line, column: "email", code: "email_malformed", params: { value: emailText }, problem: `malformed e-mail "${emailText}"` });
    }
    rows.push({ row: r.line, ref, name, role, unitCode, phone, email });
  }

  // 4. Duplicate refs within the file (also refs that differ only in letter case).
  const filePeople = new Map<string, FilePerson>();
  const fileByLower = new Map<string, FilePerson>();
  for (const p of rows) {
    if (p.ref === "") continue;
    const same = filePeople.get(p.ref);
    const similar = fileByLower.get(p.ref.toLowerCase());
    if (same) {
      problems.push({ row: p.row, column: "ref", code: "duplicate", params: { value: p.ref, firstRow: same.row }, problem: `duplicate ref "${p.ref}" (first on row ${same.row})` });
    } else if (similar) {
      problems.push({
        row: p.row,
        column: "ref",
        code: "duplicate_case",
        params: { value: p.ref, otherRow: similar.row, other: similar.ref },
        problem: `duplicate ref "${p.ref}": row ${similar.row} has "${similar.ref}" (refs differ only in letter case)`,
      });
    } else {
      filePeople.set(p.ref, p);
      fileByLower.set(p.ref.toLowerCase(), p);
    }
  }

  // The rest reads the database, and writes it, in one transaction so nothing changes in between.
  return database.db.transaction(
    (tx) => {
      const existingUnits = tx.select({ id: units.id, code: units.code, type: units.type }).from(units).all();
      const unitByCode = new Map(existingUnits.map((u) => [u.code, u]));
      const unitByLower = new Map(existingUnits.map((u) => [u.code.toLowerCase(), u]));
      const existing = tx
        .select({
          id: people.id,
          ref: people.ref,
          name: people.name,
          role: people.role,
          unitId: people.unitId,
          phone: people.phone,
          email: people.email,
          userId: people.userId,
        })
        .from(people)
        .all();
      const dbByRef = new Map(existing.map((p) => [p.ref, p]));
      // An office admin sees only its own people: the letter-case hint below must not reveal refs elsewhere.
      const allowedIds = options.allowedUnitCodes ? scopeIds(existingUnits, options.allowedUnitCodes) : undefined;
      const dbByLower = new Map(existing.filter((p) => !allowedIds || allowedIds.has(p.unitId)).map((p) => [p.ref.toLowerCase(), p]));

      // 5. Units: known, and of the type the role belongs to. Duplicate rows are checked too.
      for (const p of rows) {
        if (p.unitCode === "") continue;
        const unit = unitByCode.get(p.unitCode);
        if (!unit) {
          const near = unitByLower.get(p.unitCode.toLowerCase());
          problems.push({
            row: p.row,
            column: "unit_code",
            code: near ? "unknown_unit_near" : "unknown_unit",
            params: { value: p.unitCode, ...(near ? { suggestion: near.code } : {}) },
            problem:
              `unknown unit "${p.unitCode}": not in the database (import the units first)` +
              (near ? ` (did you mean "${near.code}"?)` : ""),
          });
          continue;
        }
        if (options.allowedUnitCodes && !options.allowedUnitCodes.has(unit.code)) {
          problems.push({ row: p.row, column: "unit_code", code: "unit_outside_scope", params: { value: p.unitCode }, problem: `unit "${p.unitCode}" is outside your office` });
          continue;
        }
        if (p.role && unit.type !== ROLE_UNIT_TYPE[p.role]) {
          problems.push({
            row: p.row,
            column: "role",
            code: "role_unit_mismatch",
            params: { role: p.role, expected: ROLE_UNIT_TYPE[p.role], value: p.unitCode, actual: unit.type },
            problem:
              `${ROLE_LABEL[p.role]} must belong to ${TYPE_LABEL[ROLE_UNIT_TYPE[p.role]]}, ` +
              `but "${p.unitCode}" is ${TYPE_LABEL[unit.type]}`,
          });
        }
      }

      // 6a. An office admin changes only people already registered in its units. A ref elsewhere and a ref that
      // exists nowhere get the same answer, so an import (or a dry run) cannot tell whether a ref exists.
      if (allowedIds) {
        for (const p of filePeople.values()) {
          const old = dbByRef.get(p.ref);
          if (!old || !allowedIds.has(old.unitId)) {
            problems.push({ row: p.row, column: "ref", code: "ref_not_in_scope", params: { value: p.ref }, problem: `ref "${p.ref}" ${NOT_IN_SCOPE}` });
          }
        }
      }

      // 6. A new ref that differs from an existing one only in letter case is almost surely a typo.
      for (const p of filePeople.values()) {
        const similar = dbByLower.get(p.ref.toLowerCase());
        if (!dbByRef.has(p.ref) && similar) {
          problems.push({
            row: p.row,
            column: "ref",
            code: "case_differs_from_database",
            params: { value: p.ref, existing: similar.ref },
            problem: `ref "${p.ref}" differs only in letter case from "${similar.ref}", already in the database`,
          });
        }
      }

      if (problems.length > 0) return rejected(problems);

      // 7. Plan and, unless a dry run, write.
      const report: ImportReport = { ok: true, created: 0, updated: 0, unchanged: 0, problems: [] };
      const at = options.now.getTime();
      const hasPhone = header.columns.has("phone");
      const hasEmail = header.columns.has("email");
      for (const p of filePeople.values()) {
        // validated above: role known, unit known, phone and e-mail well-formed
        const role = p.role as PersonRole;
        const unitId = (unitByCode.get(p.unitCode) as { id: number }).id;
        const old = dbByRef.get(p.ref);
        const wanted = {
          name: p.name,
          role,
          unitId,
          phone: hasPhone ? (p.phone as string | null) : (old?.phone ?? null),
          email: hasEmail ? (p.email as string | null) : (old?.email ?? null),
        };
        if (!old) {
          report.created++;
          if (!options.dryRun) tx.insert(people).values({ ref: p.ref, ...wanted, createdAt: at, updatedAt: at }).run();
          continue;
        }
        const same =
          old.name === wanted.name &&
          old.role === wanted.role &&
          old.unitId === wanted.unitId &&
          old.phone === wanted.phone &&
          old.email === wanted.email;
        if (same) {
          report.unchanged++;
        } else {
          report.updated++;
          if (!options.dryRun) tx.update(people).set({ ...wanted, updatedAt: at }).where(eq(people.id, old.id)).run();
        }
        // A linked chat user follows the person: role, and staff membership of the person's unit.
        if (old.userId !== null && !options.dryRun) {
          tx.update(users).set({ role }).where(eq(users.id, old.userId)).run();
          if (old.unitId !== unitId) {
            tx.delete(userUnits)
              .where(and(eq(userUnits.userId, old.userId), eq(userUnits.unitId, old.unitId)))
              .run();
          }
          tx.insert(userUnits).values({ userId: old.userId, unitId, createdAt: at }).onConflictDoNothing().run();
        }
      }
      return report;
    },
    { behavior: options.dryRun ? "deferred" : "immediate" },
  );
}

/** The one answer an office admin gets for a ref outside its units, whether or not it exists. */
export const NOT_IN_SCOPE =
  "is not one of the people registered in your office's units; new people, and people moving in from other units, are added by the Department";

function scopeIds(all: readonly { id: number; code: string }[], codes: ReadonlySet<string>): Set<number> {
  return new Set(all.filter((u) => codes.has(u.code)).map((u) => u.id));
}

function rejected(problems: ImportProblem[]): ImportReport {
  return { ok: false, created: 0, updated: 0, unchanged: 0, problems: sortProblems(problems, PERSON_COLUMNS) };
}
