/**
 * What every reply promises about its form, shared by the answer grader (npm run eval:answers) and the tests:
 * Vietnamese replies open with "Dạ", say "ạ" and address the parent as "anh/chị"; English replies carry no
 * Vietnamese tone marks except in the proper names below; one item per line, short enough for a phone.
 */

/** Proper names an English reply may write with Vietnamese tone marks. */
export const ENGLISH_WHITELIST = [
  "Bà Rịa-Vũng Tàu",
  "Phòng TCCB-CNTT",
  "Phòng GDĐT",
  "Sở GDĐT",
  "Dân hỏi – Sở GDĐT trả lời",
  "Hệ tri thức Việt số hóa",
  "QĐ-SGDĐT",
];

export const MAX_LINE_CHARS = 280;

/** Lower case, no tone marks, đ → d, spaces collapsed: "Phúc Khảo" and "phuc khao" compare equal. */
export function fold(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/g, "d")
    .replace(/Đ/g, "D")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

const VIETNAMESE_MARKS = /[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]/iu;

/** Words of an English reply that carry Vietnamese tone marks, once the whitelisted names are removed. */
export function vietnameseInEnglish(text: string): string[] {
  let rest = text.normalize("NFC");
  const longestFirst = [...ENGLISH_WHITELIST].sort((a, b) => b.length - a.length);
  for (const name of longestFirst) rest = rest.split(name).join(" ");
  return rest.split(/\s+/).filter((w) => VIETNAMESE_MARKS.test(w));
}

/** Problems with a reply's form, in plain words; empty when the reply is fine. */
export function styleProblems(text: string, locale: "vi" | "en"): string[] {
  const problems: string[] = [];
  const lines = text.split("\n");
  if (locale === "vi") {
    if (!/^Dạ(?=[\s,.!])/u.test(text.trimStart())) problems.push('does not open with "Dạ"');
    if (!text.includes("ạ")) problems.push('no "ạ"');
    if (/Quý phụ huynh/i.test(text)) problems.push('says "Quý phụ huynh" (parents are "anh/chị")');
  } else {
    const words = vietnameseInEnglish(text);
    if (words.length > 0) problems.push(`Vietnamese in an English reply: ${words.slice(0, 5).join(" ")}`);
  }
  const long = lines.find((l) => l.length > MAX_LINE_CHARS);
  if (long) problems.push(`a line of ${long.length} characters (max ${MAX_LINE_CHARS})`);
  const urls = (text.match(/https?:\/\/[^\s)]+/g) ?? []).map((u) => u.replace(/[.,;:]+$/, ""));
  const twice = urls.find((u, i) => urls.indexOf(u) !== i);
  if (twice) problems.push(`URL printed twice: ${twice}`);
  return problems;
}
