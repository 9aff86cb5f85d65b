/**
 * Spots a message that seems to carry a password ("mk là abc123", "ID 0123456789 pass 2468ab",
 * "my password is ..."). Such a message is answered with a warning and its text is never stored.
 * Works on the classifier's normalised text (folded, shorthand expanded: "mk" → "mat khau").
 *
 * Chat also writes "mk" for "mình" (I): "mk là phụ huynh lớp 3, cho mk hỏi…" becomes "mat khau la phu huynh…".
 * So a stated value counts only when it looks like a secret: it has a digit, or it is not a Vietnamese
 * syllable ("abc", "hoamai"); "phu", "giao", "nguoi" start a sentence rather than give a password.
 */

const SECRET_WORD = "(?:mat khau|password|passwd|pwd|pass|ma dang nhap|ma pin|pin)";
const OWNER = "(?: cua (?:em|toi|minh|con|chau|be|tui|t))?";
const QUESTION_WORDS = new Set([
  "gi", "bao", "sao", "nhu", "the", "nao", "what", "how", "gi?", "j", "dau", "ai", "khong", "sai", "bi", "moi",
]);
/** One unaccented Vietnamese syllable: onset, 1-3 vowels, coda. */
const SYLLABLE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(ch|ng|nh|[cmnpt])?$/;

const STATED = new RegExp(`(?:^| )${SECRET_WORD}${OWNER} (?:la|is|bang|=|moi la|hien tai la) (\\S+)`);
const WITH_DIGITS = new RegExp(`(?:^| )${SECRET_WORD}${OWNER} (\\S*\\d\\S*)`);

export function looksLikePassword(normalized: string): boolean {
  const stated = STATED.exec(normalized);
  if (stated && looksLikeSecret(stated[1] as string)) return true;
  const digits = WITH_DIGITS.exec(normalized);
  // "mat khau 6 so" / "mat khau 8 ky tu" describe a password rather than give one.
  if (digits && !/^\d{1,2}$/.test(digits[1] as string)) return true;
  return false;
}

function looksLikeSecret(value: string): boolean {
  if (QUESTION_WORDS.has(value)) return false;
  if (/\d/.test(value)) return true;
  return !SYLLABLE.test(value);
}
