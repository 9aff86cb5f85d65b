/**
 * Turns the bytes of an uploaded registry file (CSV in any of the encodings Excel writes, or an .xlsx) into
 * records, within the import limits. Runs inside the parse worker (parse-in-worker.ts) for the admin API and
 * the CLI alike, so both accept and refuse the same files. Throws ImportFileError for a file refused as a whole.
 */
import { threadId } from "node:worker_threads";
import { CsvError, parseCsv, type CsvRecord } from "./csv.js";
import { fileTooLargeError, IMPORT_LIMITS, tooManyRows, unreadable, type ImportLimits } from "./import-limits.js";
import { decodeText, sniffFile, type TextEncoding } from "./text-decoding.js";

export interface ParsedFile {
  format: "csv" | "xlsx";
  /** the CSV's encoding, as detected */
  encoding?: TextEncoding;
  /** non-blank records with their line (CSV) or row (Excel) number; the header is the first */
  records: CsvRecord[];
  /** the thread that parsed the file (a worker's id when parsed through parseInWorker; 0 is the main thread) */
  thread: number;
}

export async function parseImportFile(bytes: Uint8Array, limits: ImportLimits = IMPORT_LIMITS): Promise<ParsedFile> {
  return { ...(await parse(bytes, limits)), thread: threadId };
}

async function parse(bytes: Uint8Array, limits: ImportLimits): Promise<Omit<ParsedFile, "thread">> {
  if (bytes.byteLength > limits.maxFileBytes) throw fileTooLargeError(limits);
  switch (sniffFile(bytes)) {
    case "xls":
      throw unreadable(
        'Dạ, đây là bảng tính Excel 97-2003 (.xls) ạ; anh/chị mở trong Excel, chọn File → Save As → "Excel Workbook (*.xlsx)" rồi nhập lại',
        'this is an Excel 97-2003 workbook (.xls); in Excel choose File → Save As → "Excel Workbook (*.xlsx)" and import that',
      );
    case "binary":
      throw unreadable(
        "Dạ, tệp không phải CSV hay bảng tính Excel (.xlsx) ạ",
        "the file is neither CSV text nor an Excel workbook (.xlsx)",
      );
    case "xlsx": {
      const { readSheetRecords } = await import("./xlsx.js"); // ExcelJS is large: loaded only for workbooks
      return { format: "xlsx", records: await readSheetRecords(bytes, limits) };
    }
    case "text":
      break;
  }
  const { text, encoding } = decodeText(bytes);
  let records: CsvRecord[];
  try {
    records = parseCsv(text).records;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    throw unreadable(
      `Dạ, dòng ${error.line} mở dấu ngoặc kép mà không đóng ạ`,
      `line ${error.line}: ${error.message}`,
    );
  }
  records = records.filter((r) => r.fields.some((f) => f.trim() !== ""));
  if (records.length > limits.maxRows + 1) throw tooManyRows(limits);
  const wide = records.find((r) => r.fields.length > limits.maxColumns);
  if (wide) {
    throw unreadable(
      `Dạ, dòng ${wide.line} có quá ${limits.maxColumns} cột ạ`,
      `line ${wide.line} has more than ${limits.maxColumns} columns`,
    );
  }
  return { format: "csv", encoding, records };
}
