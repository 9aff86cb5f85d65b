/**
 * What one registry import may hold, and the error for a file refused as a whole. The limits keep a single
 * upload from holding the server's memory or CPU: the largest real registry (a province's schools and staff)
 * is a few thousand rows of short cells, so these leave ample room.
 */
export const IMPORT_LIMITS = {
  /** the uploaded file */
  maxFileBytes: 5 * 1024 * 1024,
  /** non-blank rows under the header */
  maxRows: 20_000,
  /** characters in one cell of a column the import reads */
  maxCellChars: 500,
  /** columns of a row (Excel's last column is 16,384) */
  maxColumns: 200,
  /** worksheets in a workbook */
  maxSheets: 50,
  /** entries of the zip archive an .xlsx is */
  maxZipEntries: 2_000,
  /** bytes an .xlsx unpacks to, as its zip directory declares them (the zip-bomb guard) */
  maxUnpackedBytes: 40 * 1024 * 1024,
  /** heap of the worker that parses one file; beyond it the worker dies and the file is refused */
  workerHeapMb: 512,
  /** wall-clock time for parsing one file */
  parseTimeoutMs: 60_000,
  /** files parsed at the same time; more uploads wait for a free worker */
  concurrentParses: 2,
} as const;

export type ImportLimits = typeof IMPORT_LIMITS;

/** `5 MB` */
export function megabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/**
 * A file refused as a whole, before any row is checked: 413 when it is too big (bytes, rows, unpacked size),
 * 400 when it is not a readable CSV or workbook. The message is Vietnamese first, then English.
 */
export class ImportFileError extends Error {
  override name = "ImportFileError";

  constructor(
    readonly status: 400 | 413,
    readonly vi: string,
    readonly en: string,
  ) {
    super(`${vi} (${en})`);
  }
}

export const tooLarge = (vi: string, en: string) => new ImportFileError(413, vi, en);
export const unreadable = (vi: string, en: string) => new ImportFileError(400, vi, en);

export function fileTooLargeError(limits: Pick<ImportLimits, "maxFileBytes"> = IMPORT_LIMITS): ImportFileError {
  const max = megabytes(limits.maxFileBytes);
  return tooLarge(
    `Dạ, tệp lớn hơn ${max} ạ; anh/chị vui lòng tách tệp thành nhiều phần rồi nhập lại`,
    `the file is larger than ${max}; split it into several files and import each`,
  );
}

export function tooManyRows(limits: Pick<ImportLimits, "maxRows">): ImportFileError {
  const max = limits.maxRows.toLocaleString("en-US");
  return tooLarge(
    `Dạ, tệp có hơn ${max} dòng ạ; anh/chị vui lòng tách thành nhiều tệp rồi nhập lần lượt`,
    `the file has more than ${max} rows; split it into several files and import them one by one`,
  );
}
