/**
 * A small RFC 4180 CSV reader for the spreadsheets the Department exports: quoted fields, doubled quotes,
 * line breaks inside quotes, CRLF, LF (and a lone CR, as old Mac Excel writes), an optional UTF-8 BOM, and
 * `,` or `;` as delimiter (Excel in a Vietnamese locale writes `;`), detected from the header line.
 *
 * Lenient where Excel is: a quote inside an unquoted field is kept as a character, text after a closing quote
 * is appended. The one error is a quoted field that never closes, since everything after it would be wrong.
 */

export type CsvDelimiter = "," | ";" | "\t";

export interface CsvRecord {
  /** 1-based line of the file where this record starts (a quoted field may span several lines) */
  line: number;
  fields: string[];
}

export interface CsvParseResult {
  delimiter: CsvDelimiter;
  records: CsvRecord[];
}

export class CsvError extends Error {
  override name = "CsvError";

  constructor(
    message: string,
    /** 1-based line where the problem starts */
    readonly line: number,
  ) {
    super(message);
  }
}

const BOM = "\uFEFF";

/**
 * The delimiter that occurs most often outside quotes on the first line: `;` or tab only when it beats `,`,
 * so a header with none of them (a single column) reads as comma-separated.
 */
export function detectDelimiter(text: string): CsvDelimiter {
  const counts = { ",": 0, ";": 0, "\t": 0 };
  let quoted = false;
  for (let i = text.startsWith(BOM) ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) break;
    else if (!quoted && (c === "," || c === ";" || c === "\t")) counts[c]++;
  }
  if (counts[";"] > counts[","] && counts[";"] >= counts["\t"]) return ";";
  if (counts["\t"] > counts[","]) return "\t";
  return ",";
}

/**
 * Parses CSV text into records. Every line break outside quotes ends a record, so a blank line gives a record
 * with one empty field (callers skip blank records); a final line break does not add a record.
 * Throws CsvError for a quoted field that is never closed.
 */
export function parseCsv(text: string, options: { delimiter?: CsvDelimiter } = {}): CsvParseResult {
  const src = text.startsWith(BOM) ? text.slice(1) : text;
  const delimiter = options.delimiter ?? detectDelimiter(src);
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let pending = false;
  const n = src.length;

  const endRecord = () => {
    fields.push(field);
    records.push({ line: recordLine, fields });
    fields = [];
    field = "";
    pending = false;
  };

  while (i < n) {
    const c = src[i] as string;
    pending = true;
    if (c === '"' && field.trim() === "") {
      // A quoted field (only when the quote opens the field, after optional spaces; elsewhere it is an
      // ordinary character).
      const openedOn = line;
      field = "";
      i++;
      for (;;) {
        if (i >= n) throw new CsvError(`a quoted field opened on line ${openedOn} is never closed`, openedOn);
        const q = src[i] as string;
        if (q === '"') {
          if (src[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === "\r") {
          field += "\n";
          i += src[i + 1] === "\n" ? 2 : 1;
          line++;
          continue;
        }
        if (q === "\n") line++;
        field += q;
        i++;
      }
      // Anything between the closing quote and the next delimiter is kept as text (lenient, like Excel).
      continue;
    }
    if (c === delimiter) {
      fields.push(field);
      field = "";
      i++;
      continue;
    }
    if (c === "\r" || c === "\n") {
      endRecord();
      i += c === "\r" && src[i + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += c;
    i++;
  }
  // The last record, unless the text ended with a line break (or is empty).
  if (pending) endRecord();
  return { delimiter, records };
}
