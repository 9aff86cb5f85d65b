/**
 * Reads the first worksheet of an Excel workbook (.xlsx) into rows of strings, the shape the registry imports
 * take. Row i of the result is row i + 1 of the sheet (empty rows are kept as []), so problems reported by the
 * imports name the row the user sees in Excel.
 *
 * Cells become text the way a person reads them: a date cell (a number with a date format) becomes
 * `YYYY-MM-DD`, a number its shortest decimal form (`3`, not `3.0`), a formula its cached result, rich text and
 * hyperlinks their text, an error its code (`#N/A`).
 *
 * A phone number typed into a number-formatted cell has already lost its leading zero in the file itself
 * (0912345678 is stored as 912345678): it cannot be recovered here, so the digits are kept as they are and the
 * people import reports such a phone with the fix (format the column as Text and type the 0 again).
 */
import ExcelJS, { type CellValue } from "exceljs";

/** `YYYY-MM-DD` of an Excel date; Excel dates carry no time zone, so ExcelJS gives them at UTC midnight. */
function isoDate(date: Date): string {
  if (Number.isNaN(date.getTime())) return "";
  const y = String(date.getUTCFullYear()).padStart(4, "0");
  const m = String(date.getUTCMonth() + 1).padStart(2, "0");
  const d = String(date.getUTCDate()).padStart(2, "0");
  return `${y}-${m}-${d}`;
}

/** 3 → "3", 912345678 → "912345678", 2.5 → "2.5"; never an exponent for the integers a sheet holds. */
function numberText(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return BigInt(n).toString();
  return String(n);
}

/** One cell as text (see the module comment). */
export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return numberText(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value instanceof Date) return isoDate(value);
  if ("richText" in value) return value.richText.map((r) => r.text).join("");
  if ("hyperlink" in value) return cellText(value.text as CellValue);
  if ("formula" in value || "sharedFormula" in value) return cellText(value.result);
  if ("error" in value) return value.error;
  return "";
}

/** The first worksheet's rows as strings; [] for a workbook without sheets. Throws when the bytes are not a workbook. */
export async function readSheetRows(buffer: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  // ExcelJS declares its own (older) Buffer type; the bytes are the same.
  await workbook.xlsx.load(buffer as unknown as Parameters<typeof workbook.xlsx.load>[0]);
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const rows: string[][] = [];
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value));
    rows.push(cells);
  }
  // Formatting applied below the data makes rowCount include empty rows at the end; they carry nothing.
  while (rows.length > 0 && (rows[rows.length - 1] as string[]).every((cell) => cell === "")) rows.pop();
  return rows;
}
