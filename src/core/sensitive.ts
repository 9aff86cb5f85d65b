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

/**
 * Link codes bind a chat to a staff member, so they are never stored as typed: 8 characters of A-Z and 2-9
 * without O, I and L (the alphabet of registry/linking.ts), which people type with spaces, a dash or in
 * lower case.
 */
const CODE_CHAR = "[A-HJKMNP-Z2-9]";
const ANY_CASE = "[A-HJKMNP-Za-hjkmnp-z2-9]";
const WHOLE_CODE = new RegExp(`^${CODE_CHAR}{8}$`, "i");
/**
 * Inside a longer text a code is a mix of letters and digits, or eight capitals as the code is printed
 * ("mã của em là JCSZVKNF ạ"); ordinary lower-case words stay.
 */
const CODE_IN_TEXT = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:(?=[\\w-]*\\d)(?=[\\w-]*[A-Za-z])${ANY_CASE}{4}-?${ANY_CASE}{4}|${CODE_CHAR}{4}-?${CODE_CHAR}{4})(?![\\p{L}\\p{N}-])`,
  "gu",
);
export const REDACTED = "••••";

function isLinkCode(text: string): boolean {
  return WHOLE_CODE.test(text.replace(/[\s-]/g, ""));
}

/** The form of an inbound message that may be logged: "/link ••••", "/start ••••", "••••" instead of a code. */
export function loggableText(text: string): string {
  const command = /^(\/[A-Za-z_]{1,32}(?:@\w+)?)\s+(\S[\s\S]*)$/.exec(text);
  if (command) {
    const [, name, arg] = command as unknown as [string, string, string];
    if (/^\/link(?:@|$)/i.test(name) || isLinkCode(arg)) return `${name} ${REDACTED}`;
  }
  if (isLinkCode(text)) return REDACTED;
  return text.replace(CODE_IN_TEXT, REDACTED);
}

function looksLikeSecret(value: string): boolean {
  if (QUESTION_WORDS.has(value)) return false;
  if (/\d/.test(value)) return true;
  return !SYLLABLE.test(value);
}
