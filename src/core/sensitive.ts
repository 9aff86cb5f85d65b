/**
 * Spots a message that seems to carry a password ("mk là abc123", "ID 0123456789 pass 2468ab",
 * "my password is ..."). Such a message is answered with a warning and its text is never stored.
 * Works on the classifier's normalised text (folded, shorthand expanded: "pass" → "mat khau").
 *
 * "mk" is left unexpanded by the lexicon because chat uses it for both "mật khẩu" and "mình"
 * ("mk là phụ huynh lớp 3, cho mk hỏi…"). After "mk", only a value that looks like a secret counts:
 * it has a digit or a symbol, or it is a single long word ending the clause ("mk là hoamai").
 */

const SECRET_WORD = "(?:mat khau|password|passwd|pwd|pass|ma dang nhap|ma pin|pin)";
const OWNER = "(?: cua (?:em|toi|minh|con|chau|be|tui|t))?";
const QUESTION_WORDS = new Set([
  "gi", "bao", "sao", "nhu", "the", "nao", "what", "how", "gi?", "j", "dau", "ai", "khong", "sai", "bi", "moi",
]);

const STATED = new RegExp(`(?:^| )${SECRET_WORD}${OWNER} (?:la|is|bang|=|moi la|hien tai la) (\\S+)`);
const WITH_DIGITS = new RegExp(`(?:^| )${SECRET_WORD}${OWNER} (\\S*\\d\\S*)`);
const MK_STATED = new RegExp(`(?:^| )mk${OWNER} (?:la|bang|=|moi la|hien tai la) (\\S+)( \\S+)?`);
const MK_WITH_DIGITS = new RegExp(`(?:^| )mk${OWNER} (\\S*\\d\\S*)`);

export function looksLikePassword(normalized: string): boolean {
  const stated = STATED.exec(normalized);
  if (stated && !QUESTION_WORDS.has(stated[1] as string)) return true;
  const digits = WITH_DIGITS.exec(normalized);
  // "mat khau 6 so" / "mat khau 8 ky tu" describe a password rather than give one.
  if (digits && !/^\d{1,2}$/.test(digits[1] as string)) return true;
  return mkGivesPassword(normalized);
}

function mkGivesPassword(normalized: string): boolean {
  const digits = MK_WITH_DIGITS.exec(normalized);
  if (digits && !/^\d{1,2}$/.test(digits[1] as string)) return true;
  const stated = MK_STATED.exec(normalized);
  if (!stated) return false;
  const value = stated[1] as string;
  if (QUESTION_WORDS.has(value)) return false;
  if (/\d/.test(value + (stated[2] ?? ""))) return true;
  // "mk la phu huynh…" is "mình là phụ huynh": a short word followed by more words is a sentence, not a secret.
  return value.length >= 6 && stated[2] === undefined;
}
