import { isLuhnValid } from "./luhn.js";

/**
 * Issuer prefixes (IIN ranges) of the major card schemes: Visa 4; Mastercard 51-55, 2221-2720;
 * Amex 34, 37; Discover 6011, 644-649, 65; JCB 3528-3589; Diners 300-305, 36, 38-39; UnionPay 62;
 * Maestro 50, 56-58, 63, 67. Requiring one of these on top of Luhn keeps order numbers, timestamps
 * (which start with 1) and other long ids from being taken for cards.
 */
function hasCardPrefix(d: string): boolean {
  const p1 = d.charCodeAt(0) - 48;
  const p2 = Number(d.slice(0, 2));
  const p4 = Number(d.slice(0, 4));
  switch (p1) {
    case 4:
      return true;
    case 5:
      return (p2 >= 50 && p2 <= 58);
    case 2:
      return p4 >= 2221 && p4 <= 2720;
    case 3:
      return p2 === 34 || p2 === 37 || p2 === 36 || p2 === 38 || p2 === 39 || (p4 >= 3000 && p4 <= 3059) || (p4 >= 3528 && p4 <= 3589);
    case 6:
      return p4 === 6011 || p2 === 62 || p2 === 63 || p2 === 65 || p2 === 67 || (p4 >= 6440 && p4 <= 6499);
    default:
      return false;
  }
}

/**
 * True when `raw` (digits, optionally grouped by one kind of separator) is a plausible payment card
 * number: 13-19 digits, a known issuer prefix, a valid Luhn check digit, not one repeated digit,
 * and, when grouped, groups of 4 (or Amex's 4-6-5).
 */
export function isPlausibleCardNumber(raw: string): boolean {
  const digits = raw.replace(/[ -]/g, "");
  if (digits.length < 13 || digits.length > 19) return false;
  if (digits.length !== raw.length) {
    const sep = raw.includes(" ") ? " " : "-";
    if (raw.includes(" ") && raw.includes("-")) return false;
    const groups = raw.split(sep).map((g) => g.length);
    const amex = groups.length === 3 && groups[0] === 4 && groups[1] === 6 && groups[2] === 5;
    const fours = groups.slice(0, -1).every((n) => n === 4) && (groups.at(-1) ?? 0) >= 1 && (groups.at(-1) ?? 0) <= 4;
    if (!amex && !fours) return false;
  }
  if (/^(\d)\1+$/.test(digits)) return false;
  return hasCardPrefix(digits) && isLuhnValid(digits);
}
