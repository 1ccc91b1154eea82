/**
 * Folds one non-ASCII code point to the form the rules are written against: NFKC (fullwidth,
 * ligatures, mathematical alphanumerics, circled letters), then diacritics stripped and lower case.
 * "Ｉｇｎｏｒｅ" → "ignore", "𝐢𝐠𝐧𝐨𝐫𝐞" → "ignore", "précédentes" → "precedentes", "Игнорируй" → "игнорируи".
 * Cached: NFKC per call is slow, and real text reuses a small alphabet.
 */
const cache = new Map<number, string>();

export function foldChar(cp: number): string {
  // CJK ideographs, kana and Hangul syllables are already in folded form.
  if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0xac00 && cp <= 0xd7a3)) return String.fromCodePoint(cp);
  const hit = cache.get(cp);
  if (hit !== undefined) return hit;
  // Turkish and Azerbaijani dotless ı is a letter of the Latin alphabet, not a look-alike: it folds
  // to "i" like any other diacritic (as a homoglyph it flagged every Turkish word that has one).
  if (cp === 0x131) return "i";
  const ch = String.fromCodePoint(cp);
  let f = ch.normalize("NFKC");
  if (cp < 0x3000 || cp >= 0xff00) f = stripMarks(f.normalize("NFKD")).normalize("NFC");
  f = f.toLowerCase();
  if (cache.size < 20_000) cache.set(cp, f);
  return f;
}

function stripMarks(s: string): string {
  let r = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if ((c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) || (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff)) continue;
    r += ch;
  }
  return r;
}

/** Folds a whole string the same way (used to compile rule patterns written in natural spelling). */
export function foldString(s: string): string {
  let r = "";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    r += c < 0x80 ? ch.toLowerCase() : foldChar(c);
  }
  return r;
}
