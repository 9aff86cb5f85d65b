import iconv from "iconv-lite";

const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;

/**
 * Text as Excel on a Vietnamese Windows saves "CSV (Comma delimited)": Windows-1258 has â, ê, ô, ơ, ư, ă, đ as
 * letters of their own but the five tone marks only as combining characters, so "ường" is written ư + ờ's grave.
 */
export function windows1258(text: string): Buffer {
  const split = text
    .normalize("NFD")
    .replace(/\P{M}\p{M}*/gu, (g) => g.replace(TONE_MARKS, "").normalize("NFC") + (g.match(TONE_MARKS) ?? []).join(""));
  const bytes = iconv.encode(split, "windows-1258");
  if (iconv.decode(bytes, "windows-1258").normalize("NFC") !== text.normalize("NFC")) throw new Error(`not representable in Windows-1258: ${text}`);
  return bytes;
}
