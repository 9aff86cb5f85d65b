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
import type { CsvRecord } from "./csv.js";
import { ReadStream } from "node:fs";
import { Readable } from "node:stream";
import { IMPORT_LIMITS, ImportFileError, megabytes, tooLarge, tooManyRows, unreadable, type ImportLimits } from "./import-limits.js";
import { readZipDirectory } from "./zip-directory.js";

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

/**
 * Refuses, from the zip directory alone, a workbook too big to unpack safely: more entries, sheets or unpacked
 * bytes than the limits allow, or bytes that are not a zip archive at all.
 */
export function checkWorkbookArchive(bytes: Uint8Array, limits: ImportLimits = IMPORT_LIMITS): void {
  const zip = readZipDirectory(bytes);
  if (!zip) {
    throw unreadable(
      "Dạ, tệp không đọc được như một bảng tính Excel (.xlsx) ạ: tệp bị hỏng hoặc chưa tải lên hết",
      "the file cannot be read as an Excel workbook (.xlsx): it is damaged or incomplete",
    );
  }
  const sheets = zip.entries.filter((e) => /^xl\/worksheets\/[^/]+\.xml$/.test(e.name)).length;
  if (zip.entries.length > limits.maxZipEntries || sheets > limits.maxSheets) {
    throw tooLarge(
      `Dạ, bảng tính có quá nhiều trang tính (tối đa ${limits.maxSheets}) ạ; anh/chị chỉ giữ trang cần nhập`,
      `the workbook has too many sheets (at most ${limits.maxSheets}); keep only the sheet to import`,
    );
  }
  if (zip.unpackedBytes > limits.maxUnpackedBytes) {
    const max = megabytes(limits.maxUnpackedBytes);
    throw tooLarge(
      `Dạ, bảng tính khi giải nén lớn hơn ${max} ạ; anh/chị xoá các trang, hình ảnh không cần rồi nhập lại`,
      `the workbook unpacks to more than ${max}; remove the sheets and pictures not needed and import again`,
    );
  }
}

/**
 * The first worksheet's non-blank rows as strings, each with its Excel row number; [] for a workbook without
 * sheets. Throws ImportFileError when the bytes are not a workbook or hold more rows or columns than the limits.
 */
export async function readSheetRecords(buffer: Uint8Array, limits: ImportLimits = IMPORT_LIMITS): Promise<CsvRecord[]> {
  checkWorkbookArchive(buffer, limits);
  // The streaming reader holds one row at a time (plus the shared strings), so a sheet with more rows than the
  // limit is refused at the first row too many, not after the whole workbook is in memory.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength)]), {
    worksheets: "emit",
    sharedStrings: "cache",
    styles: "cache", // number formats tell dates from numbers
    hyperlinks: "ignore", // a link cell's value is its text already
    entries: "ignore",
  });
  const records: CsvRecord[] = [];
  let read = false;
  try {
    for await (const sheet of reader) {
      // The first sheet in the workbook's tab order (when workbook.xml came first, as every writer puts it).
      const tabs = (reader as unknown as { model?: { sheets?: { name: string }[] } }).model?.sheets;
      const first = tabs?.[0]?.name;
      const name = (sheet as unknown as { name?: string }).name;
      if (read || (first !== undefined && name !== undefined && name !== first)) {
        // Left unread: the reader skips its zip entry; a sheet it had parked in a temporary file is closed here.
        const parked = (sheet as unknown as { iterator?: unknown }).iterator;
        if (parked instanceof ReadStream) parked.destroy();
        continue;
      }
      read = true;
      for await (const row of sheet) {
        const fields: string[] = [];
        row.eachCell({ includeEmpty: false }, (cell, column) => {
          if (column > limits.maxColumns) {
            throw unreadable(
              `Dạ, dòng ${row.number} có quá ${limits.maxColumns} cột ạ`,
              `row ${row.number} has more than ${limits.maxColumns} columns`,
            );
          }
          while (fields.length < column - 1) fields.push("");
          fields.push(cellText(cell.value));
        });
        if (!fields.some((f) => f !== "")) continue;
        records.push({ line: row.number, fields });
        if (records.length > limits.maxRows + 1) throw tooManyRows(limits);
      }
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw unreadable(
      "Dạ, tệp không đọc được như một bảng tính Excel (.xlsx) ạ",
      `the file cannot be read as an Excel workbook (.xlsx): ${(error as Error).message}`,
    );
  }
  return records;
}

/** The first worksheet's rows as strings, row i being Excel row i + 1 (empty rows kept as []). */
export async function readSheetRows(buffer: Uint8Array): Promise<string[][]> {
  const rows: string[][] = [];
  for (const record of await readSheetRecords(buffer)) {
    while (rows.length < record.line - 1) rows.push([]);
    rows.push(record.fields);
  }
  return rows;
}
