/**
 * npm run import -- units FILE [--dry-run]   imports the organisation tree (Department, offices, schools)
 * npm run import -- people FILE [--dry-run]  imports the people of the registry (IT leads, leaders, staff)
 *
 * FILE is an Excel workbook (.xlsx: the first sheet is read) or CSV text (`,` or `;`; UTF-8, UTF-16 or
 * Windows-1258). A workbook is recognised by the zip signature its bytes start with. Parsing follows the same
 * rules and limits as the admin API (src/registry/parse-file.ts).
 *
 * Exit codes: 0 imported (or a clean dry run), 1 the file has problems (nothing imported), 2 usage or I/O error.
 */
import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { ConfigError, loadConfig } from "../config.js";
import { databaseLocation, openDatabase, type OpenDatabase } from "../db/database.js";
import { fileTooLargeError, IMPORT_LIMITS, ImportFileError } from "../registry/import-limits.js";
import type { ParsedFile } from "../registry/parse-file.js";
import { parseInWorker } from "../registry/parse-in-worker.js";
import { importPeople, PERSON_ROLES } from "../registry/people-import.js";
import { sniffFile } from "../registry/text-decoding.js";
import { formatProblem, importUnits, UNIT_LEVELS, UNIT_TYPES, type ImportReport } from "../registry/units-import.js";

const USAGE = `usage: npm run import -- units FILE [--dry-run]
       npm run import -- people FILE [--dry-run]

  units    the Department, offices and schools; columns code, name, type, level, parent_code
           (or Mã đơn vị, Tên đơn vị, Loại, Cấp học, Mã đơn vị cấp trên)
  people   IT leads, school leaders, office and Department staff; columns ref, name, role, unit_code, phone, email
           (or Mã cán bộ, Họ và tên, Vai trò, Mã đơn vị, Số điện thoại, Email); import the units first
  FILE     an Excel workbook (.xlsx, first sheet) or CSV ("," or ";"; UTF-8 or Windows-1258),
           at most 5 MB and 20,000 rows
  --dry-run  check the file and show what would change, write nothing`;

type Kind = "units" | "people";

/* eslint-disable no-control-regex -- it exists to show control characters harmlessly */
/** A line with every control character (but tab and line breaks) shown as \xNN, so no file can drive the terminal. */
function printable(line: string): string {
  return line.replace(/[\x00-\x08\x0B-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
/* eslint-enable no-control-regex */

function say(line: string): void {
  console.log(printable(line));
}

function fail(code: 1 | 2, message: string): never {
  console.error(printable(message));
  process.exit(code);
}

function usage(message?: string): never {
  if (message) console.error(printable(message));
  console.error(USAGE);
  process.exit(2);
}

function readBytes(file: string): Buffer {
  try {
    if (statSync(file).size > IMPORT_LIMITS.maxFileBytes) {
      fail(1, `${file}: ${fileTooLargeError().message}`);
    }
    return readFileSync(file);
  } catch (error) {
    fail(2, `cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * The file's records, parsed by the same worker and rules as the admin API: CSV in UTF-8, UTF-16 or
 * Windows-1258 (Excel's "CSV" on a Vietnamese Windows), or the first sheet of an .xlsx, within the import limits.
 */
async function readInput(file: string): Promise<ParsedFile> {
  const bytes = readBytes(file);
  if (extname(file).toLowerCase() === ".xlsx" && sniffFile(bytes) !== "xlsx") {
    fail(1, `${file} cannot be read as an Excel workbook (.xlsx): it is not a zip archive`);
  }
  try {
    const parsed = await parseInWorker(bytes);
    if (parsed.encoding === "windows-1258") say(`${file}: read as Windows-1258 (Vietnamese ANSI), not UTF-8.`);
    return parsed;
  } catch (error) {
    if (!(error instanceof ImportFileError)) throw error;
    fail(1, `${file}: ${error.message}`);
  }
}

function printReport(kind: Kind, report: ImportReport, dryRun: boolean): void {
  for (const p of report.problems) say(formatProblem(p));
  if (!report.ok) {
    if (kind === "units" && report.problems.some((p) => /^unknown (type|level) /.test(p.problem))) {
      say(
        `\ntypes: ${UNIT_TYPES.join(", ")} (or Sở, Phòng GDĐT, Trường, Trung tâm); ` +
          `levels: ${UNIT_LEVELS.join(", ")} (or Mầm non, Tiểu học, THCS, THPT, GDTX)`,
      );
    }
    if (kind === "people" && report.problems.some((p) => /^unknown role /.test(p.problem))) {
      say(
        `\nroles: ${PERSON_ROLES.join(", ")} (or Phụ trách CNTT, Giáo viên Tin học; Hiệu trưởng, Phó hiệu trưởng, ` +
          `Ban giám hiệu; Chuyên viên Phòng GDĐT; Chuyên viên Sở, Cán bộ Sở)`,
      );
    }
    const n = report.problems.length;
    say(`\n${n} problem${n === 1 ? "" : "s"}; nothing was imported. Fix the file and run the import again.`);
    return;
  }
  const counts = `${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged`;
  const what = kind === "units" ? "Units" : "People";
  say(dryRun ? `Dry run, nothing written. The import would give: ${counts}.` : `${what} imported: ${counts}.`);
}

async function runImport(kind: Kind, file: string | undefined, extra: string[], dryRun: boolean): Promise<never> {
  if (!file) usage("missing FILE");
  if (extra.length > 0) usage(`unexpected argument ${extra.join(" ")}`);
  let databasePath: string;
  try {
    databasePath = databaseLocation(loadConfig());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fail(2, error.message);
  }
  const input = await readInput(file);
  const database: OpenDatabase = openDatabase(databasePath);
  let report: ImportReport;
  try {
    const options = { dryRun, now: new Date() };
    report = kind === "units" ? importUnits(database, input, options) : importPeople(database, input, options);
  } finally {
    database.close();
  }
  printReport(kind, report, dryRun);
  process.exit(report.ok ? 0 : 1);
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith("--"));
const positional = args.filter((a) => !a.startsWith("--"));
const [command, file, ...extra] = positional;
const unknownFlags = flags.filter((f) => f !== "--dry-run");
if (unknownFlags.length > 0) usage(`unknown option ${unknownFlags.join(" ")}`);
const dryRun = flags.includes("--dry-run");

switch (command) {
  case "units":
  case "people":
    await runImport(command, file, extra, dryRun);
    break;
  case undefined:
    usage();
    break;
  default:
    usage(`unknown import "${command}"`);
}
