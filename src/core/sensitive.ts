/**
 * Spots a message that seems to carry a password ("mk là abc123", "ID 0123456789 pass 2468ab",
 * "my password is ..."). Such a message is answered with a warning and its text is never stored.
 * Works on the classifier's normalised text (folded, shorthand expanded: "mk" → "mat khau").
 */

const SECRET_WORD = "(?:mat khau|password|passwd|pwd|pass|ma dang nhap|ma pin|pin)";
const OWNER = "(?: cua (?:em|toi|minh|con|chau|be|tui|t))?";
const QUESTION_WORDS = new Set([
  "gi", "bao", "sao", "nhu", "the", "nao", "what", "how", "gi?", "j", "dau", "ai", "khong", "sai", "bi", "moi",
]);

const STATED = new RegExp(`(?:^| )${SECRET_WORD}${OWNER} (?:la|is|bang|=|moi la|hien tai la) (\\S+)`);
const WITH_DIGITS = new RegExp(`(?:^| )${SECRET_WORD}${OWNER} (\\S*\\d\\S*)`);

export function looksLikePassword(normalized: string): boolean {
  const stated = STATED.exec(normalized);
  if (stated && !QUESTION_WORDS.has(stated[1] as string)) return true;
  const digits = WITH_DIGITS.exec(normalized);
  // "mat khau 6 so" / "mat khau 8 ky tu" describe a password rather than give one.
  if (digits && !/^\d{1,2}$/.test(digits[1] as string)) return true;
  return false;
}
