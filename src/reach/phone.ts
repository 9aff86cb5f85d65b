/**
 * Vietnamese mobile numbers as ZNS wants them: 84 followed by the 9 digits after the leading 0
 * (0912 345 678 → 84912345678). Since the 2018 renumbering every mobile number is 10 digits starting 03, 05,
 * 07, 08 or 09; landlines (02x) and anything else cannot receive ZNS and are refused with the reason.
 */
export type PhoneResult = { ok: true; phone: string } | { ok: false; reason: "empty" | "not_a_number" | "wrong_length" | "landline" | "not_mobile" };

const MOBILE_PREFIX = /^(3|5|7|8|9)\d{8}$/;

export function normalizeVietnamMobile(raw: string | null | undefined): PhoneResult {
  const text = (raw ?? "").trim();
  if (text === "") return { ok: false, reason: "empty" };
  // Spaces, dots, dashes and brackets are how people write numbers; letters are not.
  if (!/^[+\d\s.\-()]+$/.test(text)) return { ok: false, reason: "not_a_number" };
  let digits = text.replace(/\D/g, "");
  if (text.startsWith("+") && !digits.startsWith("84")) return { ok: false, reason: "not_mobile" }; // another country
  if (digits.startsWith("0084")) digits = digits.slice(4);
  else if (digits.startsWith("84") && digits.length >= 11) digits = digits.slice(2);
  else if (digits.startsWith("0")) digits = digits.slice(1);
  if (digits.startsWith("2")) return { ok: false, reason: "landline" }; // 02xx area codes, 11 digits since 2017
  if (digits.length !== 9) return { ok: false, reason: "wrong_length" };
  if (!MOBILE_PREFIX.test(digits)) return { ok: false, reason: "not_mobile" };
  return { ok: true, phone: `84${digits}` };
}
