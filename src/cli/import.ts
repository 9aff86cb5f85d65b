/**
 * npm run import -- units FILE [--dry-run]   imports the organisation tree (Department, offices, schools)
 * npm run import -- people FILE [--dry-run]  imports the people of the registry (IT leads, leaders, staff)
 *
 * FILE is an Excel workbook (.xlsx: the first sheet is read) or CSV text (UTF-8, `,` or `;`). A workbook is
 * recognised by its .xlsx extension or by the zip signature its bytes start with.
 *
 * Exit codes: 0 imported (or a clean dry run), 1 the file has problems (nothing imported), 2 usage or I/O error.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { ConfigError, loadConfig } from "../config.js";
import { openDatabase, type OpenDatabase } from "../db/database.js";
import { importPeople, PERSON_ROLES } from "../registry/people-import.js";
import { formatProblem, importUnits, UNIT_LEVELS, UNIT_TYPES, type ImportReport } from "../registry/units-import.js";

const USAGE = `usage: npm run import -- units FILE [--dry-run]
       npm run import -- people FILE [--dry-run]

  units    the Department, offices and schools; columns code, name, type, level, parent_code
           (or Mã đơn vị, Tên đơn vị, Loại, Cấp học, Mã đơn vị cấp trên)
  people   IT leads, school leaders, office and Department staff; columns ref, name, role, unit_code, phone, email
           (or Mã cán bộ, Họ và tên, Vai trò, Mã đơn vị, Số điện thoại, Email); import the units first
  FILE     an Excel workbook (.xlsx, first sheet) or CSV in UTF-8, "," or ";"
  --dry-run  check the file and show what would change, write nothing`;

type Kind = "units" | "people";

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(USAGE);
  process.exit(2);
}

function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    console.error(`cannot read ${file}: ${(error as Error).message}`);
    process.exit(2);
  }
}

/** The file as text; a spreadsheet saved in a legacy code page is refused with the fix. */
function decodeUtf8(file: string, bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    console.error(
      `${file} is not UTF-8 text. Save it as an Excel workbook (.xlsx), or in Excel choose File → Save As → ` +
        `"CSV UTF-8 (Comma delimited) (*.csv)"; in LibreOffice choose "Text CSV" with character set "Unicode (UTF-8)".`,
    );
    process.exit(1);
  }
}

/** The PK\x03\x04 signature that starts every .xlsx file (a zip archive). */
function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** The D0 CF 11 E0 signature of legacy binary Office files (Excel 97-2003 .xls), which are not read. */
function looksLikeLegacyExcel(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0;
}

/** CSV text, or the rows of the first sheet of a workbook (the Excel reader is loaded only for workbooks). */
async function readInput(file: string): Promise<string | string[][]> {
  const bytes = readBytes(file);
  const ext = extname(file).toLowerCase();
  if (looksLikeLegacyExcel(bytes)) {
    console.error(`${file} is an Excel 97-2003 workbook (.xls). In Excel choose File → Save As → "Excel Workbook (*.xlsx)".`);
    process.exit(1);
  }
  if (ext !== ".xlsx" && !looksLikeZip(bytes)) return decodeUtf8(file, bytes);
  const { readSheetRows } = await import("../registry/xlsx.js");
  try {
    return await readSheetRows(bytes);
  } catch (error) {
    console.error(`${file} cannot be read as an Excel workbook (.xlsx): ${(error as Error).message}`);
    process.exit(1);
  }
}

function printReport(kind: Kind, report: ImportReport, dryRun: boolean): void {
  for (const p of report.problems) console.log(formatProblem(p));
  if (!report.ok) {
    if (kind === "units" && report.problems.some((p) => /^unknown (type|level) /.test(p.problem))) {
      console.log(
        `\ntypes: ${UNIT_TYPES.join(", ")} (or Sở, Phòng GDĐT, Trường, Trung tâm); ` +
          `levels: ${UNIT_LEVELS.join(", ")} (or Mầm non, Tiểu học, THCS, THPT, GDTX)`,
      );
    }
    if (kind === "people" && report.problems.some((p) => /^unknown role /.test(p.problem))) {
      console.log(
        `\nroles: ${PERSON_ROLES.join(", ")} (or Phụ trách CNTT, Giáo viên Tin học; Hiệu trưởng, Phó hiệu trưởng, ` +
          `Ban giám hiệu; Chuyên viên Phòng GDĐT; Chuyên viên Sở, Cán bộ Sở)`,
      );
    }
    const n = report.problems.length;
    console.log(`\n${n} problem${n === 1 ? "" : "s"}; nothing was imported. Fix the file and run the import again.`);
    return;
  }
  const counts = `${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged`;
  const what = kind === "units" ? "Units" : "People";
  console.log(dryRun ? `Dry run, nothing written. The import would give: ${counts}.` : `${what} imported: ${counts}.`);
}

async function runImport(kind: Kind, file: string | undefined, extra: string[], dryRun: boolean): Promise<never> {
  if (!file) usage("missing FILE");
  if (extra.length > 0) usage(`unexpected argument ${extra.join(" ")}`);
  let databasePath: string;
  try {
    databasePath = loadConfig().DATABASE_PATH;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
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
