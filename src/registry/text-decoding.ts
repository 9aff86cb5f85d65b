/**
 * The characters of an uploaded CSV, the same for the admin API and the CLI. Excel on a Vietnamese Windows
 * saves "CSV (Comma delimited)" in the ANSI code page, Windows-1258, and "Unicode Text" as UTF-16; only
 * "CSV UTF-8" is UTF-8. So: a byte-order mark decides; else text that is valid UTF-8 is UTF-8; else it is read
 * as Windows-1258 (every byte sequence is valid there, so this never fails: a file in another code page would
 * show wrong letters in the dry run, which the person sees before importing).
 */
import iconv from "iconv-lite";

export type TextEncoding = "utf-8" | "utf-16le" | "utf-16be" | "windows-1258";

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
}

export function decodeText(bytes: Uint8Array): DecodedText {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { text: b.subarray(3).toString("utf8"), encoding: "utf-8" };
  if (b[0] === 0xff && b[1] === 0xfe) return { text: iconv.decode(b.subarray(2), "utf-16le"), encoding: "utf-16le" };
  if (b[0] === 0xfe && b[1] === 0xff) return { text: iconv.decode(b.subarray(2), "utf-16be"), encoding: "utf-16be" };
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(b), encoding: "utf-8" };
  } catch {
    // Windows-1258 writes tone marks as combining characters; the import's cleanCell composes them (NFC).
    return { text: iconv.decode(b, "windows-1258"), encoding: "windows-1258" };
  }
}

export type FileKind = "xlsx" | "xls" | "text" | "binary";

/**
 * What the bytes are: an .xlsx starts with the zip signature PK\x03\x04, a legacy Excel 97-2003 workbook with
 * D0 CF 11 E0; text without a UTF-16 mark has no NUL bytes (binary files, images and PDFs do, early on).
 */
export function sniffFile(bytes: Uint8Array): FileKind {
  const [a, b, c, d] = bytes;
  if (a === 0x50 && b === 0x4b && c === 0x03 && d === 0x04) return "xlsx";
  if (a === 0xd0 && b === 0xcf && c === 0x11 && d === 0xe0) return "xls";
  if ((a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)) return "text";
  return bytes.subarray(0, 8192).includes(0) ? "binary" : "text";
}
