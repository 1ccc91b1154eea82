import { IBAN_LENGTHS, isValidIban } from "./iban.js";
import type { SecretDetector } from "./secret-match.js";

// Country code, check digits, then up to 30 characters in optional groups of any size.
const CANDIDATE = /([A-Z](?<![A-Za-z0-9][A-Z])[A-Z])\d{2}(?: ?[A-Z0-9]){10,30}/g;

const isAlnum = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * IBANs that pass the ISO 7064 mod-97 check and have their country's registered length. The regex
 * may run past the IBAN into a following word ("… 7654 32 ABC"), so the candidate is cut at the
 * country's length before checking, and must end on a word boundary there.
 */
export const ibanDetector: SecretDetector = {
  type: "iban",
  find(text, out) {
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
      const len = IBAN_LENGTHS[m[1] ?? ""];
      if (len === undefined) {
        CANDIDATE.lastIndex = m.index + 1;
        continue;
      }
      let compact = "";
      let i = m.index;
      const stop = m.index + m[0].length;
      for (; i < stop && compact.length < len; i++) if (text[i] !== " ") compact += text[i];
      if (compact.length !== len || (i < text.length && isAlnum(text.charCodeAt(i))) || !isValidIban(compact)) {
        CANDIDATE.lastIndex = m.index + 1;
        continue;
      }
      out.push({ type: "iban", start: m.index, end: i });
      CANDIDATE.lastIndex = i;
    }
  },
};
