/**
 * Which way a test question is written: with tone marks, without, in chat shorthand, or in English.
 * A heuristic for reporting accuracy by variant (the same rules that counted the held-out file).
 */
export type TextVariant = "tone_marks" | "no_tone_marks" | "shorthand" | "english";

const SHORTHAND = new Set(
  "ko k hok hông đc dc hs ph mk tk j ntn bn e c ad z v r gv bc lm trg vs mn sđt tb đk dk cty tt hđ gd cn dv kns hk h llđt đt cc mt tl ng tks gvcn vb hnay nv".split(
    " ",
  ),
);
const SYLLABLE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x)?[aeiouy]{1,3}(ch|ng|nh|c|m|n|p|t)?$/;
const ENGLISH = new Set(
  "you the my i is what how where when which who can't hello hi please thanks thank of for it on with and your are am want need does tell in an".split(
    " ",
  ),
);
const ACRONYMS = new Set("thpt thcs cntt vnedu pmis csdl eoffice mos ic3 sjc mu gddt iphone ok a".split(" "));

function words(text: string): string[] {
  const found = text.toLowerCase().match(/[\p{L}\p{N}]+(?:[-./][\p{L}\p{N}]+)*/gu) ?? [];
  return found.filter((w) => !/[./]/.test(w) && !/^\d+$/.test(w));
}

export function textVariant(text: string): TextVariant {
  const w = words(text);
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(text);
  if (!ascii) return w.some((x) => SHORTHAND.has(x)) ? "shorthand" : "tone_marks";
  if (w.some((x) => x !== "a" && SHORTHAND.has(x))) return "shorthand";
  const rest = w.filter((x) => !ACRONYMS.has(x));
  const english = rest.filter((x) => ENGLISH.has(x) || !SYLLABLE.test(x)).length;
  const vietnamese = rest.length - english;
  if (english > vietnamese || (english === vietnamese && rest.some((x) => ENGLISH.has(x)))) return "english";
  return "no_tone_marks";
}
