/**
 * Reads the table of a registry import (CSV text, or rows read from an .xlsx by readSheetRows) the same way for
 * every import: cells cleaned, blank rows dropped, the first row left taken as the header, and each header cell
 * matched to a column through folded aliases. Problems with the file as a whole and with its header come back
 * with their row and column, ready to report; checking the rows under the header is the import's own work.
 */
import { fold } from "../nlu/normalize.js";
import { CsvError, parseCsv, type CsvRecord } from "./csv.js";
import { IMPORT_LIMITS } from "./import-limits.js";

export interface ImportProblem {
  /** 1-based line of the file, the header being line 1 (for rows given as arrays: index + 1) */
  row: number;
  /** one of the import's columns (UNIT_COLUMNS, PERSON_COLUMNS), or "" for a problem with the file as a whole */
  column: string;
  /** a stable name of the problem (the console words it), with its values in params */
  code: string;
  params?: Record<string, string | number>;
  /** the problem in English, for the CLI and automation */
  problem: string;
}

/**
 * CSV text, rows of cells (row i being line i + 1, as in readSheetRows), or records with their own line numbers
 * (as parseImportFile gives them).
 */
export type TableInput = string | readonly (readonly string[])[] | { records: readonly CsvRecord[] };

export interface TableHeader<C extends string> {
  /** 1-based line of the header */
  line: number;
  /** the header's cells, cleaned */
  cells: readonly string[];
  /** which cell holds which column; columns not in the header are absent */
  columns: ReadonlyMap<C, number>;
  /** the columns found only under a weak alias */
  weak: ReadonlySet<C>;
}

export interface TableSpec<C extends string> {
  /** header aliases of each column, folded; the first is the column's name, the others are listed when it is missing */
  aliases: Record<C, readonly string[]>;
  /**
   * Generic aliases that yield to a specific one for the same column: a second header for a column already
   * found is not a repeat when one of the two is weak and the other is not; the specific one is used.
   */
  weakAliases?: ReadonlySet<string>;
  required: readonly C[];
  /** further problems with the header, reported with the repeated and missing columns */
  checkHeader?: (header: TableHeader<C>) => ImportProblem[];
  /** characters allowed in a cell of a known column; IMPORT_LIMITS.maxCellChars unless given */
  maxCellChars?: number;
  /** the problem (on row 1) for a file without a single non-blank row */
  emptyMessage: string;
  /** the problem (on the header row) for a file with nothing under the header */
  noRowsMessage: string;
}

export type Table<C extends string> =
  | {
      ok: true;
      header: TableHeader<C>;
      /** the rows under the header, cleaned, without blank ones */
      rows: CsvRecord[];
      /** the row's cell of the column; "" when the header has no such column or the row is short */
      cell: (row: CsvRecord, column: C) => string;
    }
  | { ok: false; problems: ImportProblem[] };

/* eslint-disable no-control-regex -- these patterns exist to remove control characters */
/** Terminal escape sequences: CSI (ESC [ or 0x9B … final byte), OSC (ESC ] … BEL or ESC \\), and two-byte ESC x. */
const ESCAPE_SEQUENCE = /(?:\x1B\[|\x9B)[0-?]*[ -/]*[@-~]|\x1B\][^\x07\x1B]*(?:\x07|\x1B\\)?|\x1B[@-Z\\-_]?/g;
/** Other C0 and C1 controls and DEL (tab and line breaks become spaces first), and bidirectional overrides. */
const CONTROL = /[\x00-\x08\x0E-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

/**
 * NFC, without zero-width characters, terminal escape sequences or other control characters (a name that moves
 * the cursor or recolours a terminal must not reach the database, the console or the CLI's output), inner
 * whitespace collapsed, trimmed.
 */
export function cleanCell(value: string): string {
  return value
    .normalize("NFC")
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, "")
    .replace(ESCAPE_SEQUENCE, "")
    .replace(/\s+/g, " ")
    .replace(CONTROL, "")
    .trim();
}

/** The key whose aliases include `folded`, or undefined. */
export function lookupAlias<K extends string>(table: Record<K, readonly string[]>, folded: string): K | undefined {
  for (const key of Object.keys(table) as K[]) if (table[key].includes(folded)) return key;
  return undefined;
}

/** Problems by row, then by column in the order given ("" first), then in the order found. */
export function sortProblems(problems: ImportProblem[], columns: readonly string[]): ImportProblem[] {
  const order = (column: string) => {
    const i = columns.indexOf(column);
    return i < 0 ? -1 : i;
  };
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.row - b.p.row || order(a.p.column) - order(b.p.column) || a.i - b.i)
    .map(({ p }) => p);
}

export function readTable<C extends string>(input: TableInput, spec: TableSpec<C>): Table<C> {
  // 1. Records, without blank lines (spreadsheets export trailing ";;;;" rows).
  let records: CsvRecord[];
  if (typeof input === "string") {
    try {
      records = parseCsv(input).records;
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      return { ok: false, problems: [{ row: error.line, column: "", code: "csv_unclosed_quote", params: { line: error.line }, problem: error.message }] };
    }
  } else if ("records" in input) {
    records = [...input.records];
  } else {
    records = input.map((fields, i) => ({ line: i + 1, fields: [...fields] }));
  }
  records = records
    .map((r) => ({ line: r.line, fields: r.fields.map(cleanCell) }))
    .filter((r) => r.fields.some((f) => f !== ""));
  const first = records[0];
  if (!first) return { ok: false, problems: [{ row: 1, column: "", code: "file_empty", problem: spec.emptyMessage }] };

  // 2. Header: which cell holds which column.
  const problems: ImportProblem[] = [];
  const weakAliases = spec.weakAliases ?? new Set<string>();
  const columns = new Map<C, number>();
  const weak = new Set<C>();
  first.fields.forEach((cell, i) => {
    const folded = fold(cell);
    const column = lookupAlias(spec.aliases, folded);
    if (!column) return; // other columns (STT, address, date of birth...) are ignored
    const isWeak = weakAliases.has(folded);
    const earlier = columns.get(column);
    if (earlier === undefined) {
      columns.set(column, i);
      if (isWeak) weak.add(column);
    } else if (isWeak && !weak.has(column)) {
      // a weak header after a specific one ("Đơn vị" after "Mã đơn vị"): something else, ignored
    } else if (weak.has(column) && !isWeak) {
      columns.set(column, i);
      weak.delete(column);
    } else {
      problems.push({
        row: first.line,
        column,
        code: "column_repeated",
        params: { header: cell, earlier: first.fields[earlier] ?? "" },
        problem: `column "${cell}" repeats column "${first.fields[earlier] ?? ""}" (both mean ${column})`,
      });
    }
  });
  const header: TableHeader<C> = { line: first.line, cells: first.fields, columns, weak };
  if (spec.checkHeader) problems.push(...spec.checkHeader(header));
  for (const column of spec.required) {
    if (!columns.has(column)) {
      problems.push({
        row: header.line,
        column,
        code: "column_missing",
        params: { aliases: spec.aliases[column].slice(1).map((a) => `"${a}"`).join(", ") },
        problem: `missing column "${column}" (or ${spec.aliases[column]
          .slice(1)
          .map((a) => `"${a}"`)
          .join(", ")}, with or without tone marks)`,
      });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const rows = records.slice(1);
  // 3. Cells too long to be a code, a name or a phone (the limit keeps hostile files small, too).
  const max = spec.maxCellChars ?? IMPORT_LIMITS.maxCellChars;
  for (const row of rows) {
    for (const [column, i] of columns) {
      const length = row.fields[i]?.length ?? 0;
      if (length > max) problems.push({ row: row.line, column, code: "cell_too_long", params: { length, max }, problem: `${column} is ${length} characters long (at most ${max})` });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  if (rows.length === 0) return { ok: false, problems: [{ row: header.line, column: "", code: "no_rows", problem: spec.noRowsMessage }] };

  const cell = (row: CsvRecord, column: C): string => {
    const i = columns.get(column);
    return i === undefined ? "" : (row.fields[i] ?? "");
  };
  return { ok: true, header, rows, cell };
}
