/**
 * npm run import -- units FILE [--dry-run]   imports the organisation tree from a CSV file (UTF-8, `,` or `;`)
 * npm run import -- people FILE [--dry-run]  not implemented yet
 *
 * Exit codes: 0 imported (or a clean dry run), 1 the file has problems (nothing imported), 2 usage or I/O error.
 */
import { readFileSync } from "node:fs";
import { ConfigError, loadConfig } from "../config.js";
import { openDatabase } from "../db/database.js";
import { formatProblem, importUnits, UNIT_LEVELS, UNIT_TYPES, type ImportReport } from "../registry/units-import.js";

const USAGE = `usage: npm run import -- units FILE [--dry-run]
       npm run import -- people FILE [--dry-run]

  units    the Department, offices and schools; columns code, name, type, level, parent_code
           (or Mã đơn vị, Tên đơn vị, Loại, Cấp học, Mã đơn vị cấp trên); CSV in UTF-8, "," or ";"
  --dry-run  check the file and show what would change, write nothing`;

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(USAGE);
  process.exit(2);
}

/** The file as text; a spreadsheet saved in a legacy code page (or as .xlsx) is refused with the fix. */
function readUtf8(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    console.error(`cannot read ${file}: ${(error as Error).message}`);
    process.exit(2);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    console.error(
      `${file} is not UTF-8 text. In Excel choose File → Save As → "CSV UTF-8 (Comma delimited) (*.csv)"; ` +
        `in LibreOffice choose "Text CSV" with character set "Unicode (UTF-8)".`,
    );
    process.exit(1);
  }
}

function printReport(report: ImportReport, dryRun: boolean): void {
  for (const p of report.problems) console.log(formatProblem(p));
  if (!report.ok) {
    if (report.problems.some((p) => /^unknown (type|level) /.test(p.problem))) {
      console.log(
        `\ntypes: ${UNIT_TYPES.join(", ")} (or Sở, Phòng GDĐT, Trường, Trung tâm); ` +
          `levels: ${UNIT_LEVELS.join(", ")} (or Mầm non, Tiểu học, THCS, THPT, GDTX)`,
      );
    }
    const n = report.problems.length;
    console.log(`\n${n} problem${n === 1 ? "" : "s"}; nothing was imported. Fix the file and run the import again.`);
    return;
  }
  const counts = `${report.created} created, ${report.updated} updated, ${report.unchanged} unchanged`;
  console.log(dryRun ? `Dry run, nothing written. The import would give: ${counts}.` : `Units imported: ${counts}.`);
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith("--"));
const positional = args.filter((a) => !a.startsWith("--"));
const [command, file, ...extra] = positional;
const unknownFlags = flags.filter((f) => f !== "--dry-run");
if (unknownFlags.length > 0) usage(`unknown option ${unknownFlags.join(" ")}`);
const dryRun = flags.includes("--dry-run");

switch (command) {
  case "units": {
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
    const text = readUtf8(file);
    const database = openDatabase(databasePath);
    let report: ImportReport;
    try {
      report = importUnits(database, text, { dryRun, now: new Date() });
    } finally {
      database.close();
    }
    printReport(report, dryRun);
    process.exit(report.ok ? 0 : 1);
    break;
  }
  case "people":
    console.error("import people: not implemented yet");
    process.exit(2);
    break;
  case undefined:
    usage();
    break;
  default:
    usage(`unknown import "${command}"`);
}
