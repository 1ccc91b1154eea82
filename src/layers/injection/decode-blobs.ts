/** A run of encoded text that decoded to something readable. Offsets are in the original text. */
export interface DecodedBlob {
  kind: "base64" | "hex" | "url-encoded" | "binary";
  start: number;
  end: number;
  text: string;
}

// Character classes only, no nested quantifiers: linear scans.
const BIN_RUN = /(?:[01]{8}[ ]?){6,}/g;
const MAX_BLOBS = 64;
// The base64 / base64url / hex alphabet.
const B64 = new Uint8Array(128);
for (let c = 0; c < 128; c++) if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f || c === 0x5f || c === 0x2d) B64[c] = 1;

/**
 * Finds base64, hex and percent-encoded runs that decode to mostly printable text with spaces
 * (i.e. words, not binary or identifiers), so hidden instructions get scanned like plain ones.
 */
export function decodeBlobs(s: string): DecodedBlob[] {
  const found: DecodedBlob[] = [];
  // Manual scan for runs of the base64 alphabet: a regex would rescan every short word from each
  // of its characters.
  const runs: { index: number; run: string }[] = [];
  const len = s.length;
  for (let i = 0, start = -1; i <= len; i++) {
    const c = i < len ? s.charCodeAt(i) : 0;
    if (c < 0x80 && B64[c] === 1) {
      if (start < 0) start = i;
      continue;
    }
    if (start < 0) continue;
    if (start >= 0 && i - start >= 20) {
      let end = i;
      while (end < s.length && end - i < 2 && s.charCodeAt(end) === 0x3d) end++;
      runs.push({ index: start, run: s.slice(start, end) });
      if (runs.length >= MAX_BLOBS * 4) break;
    }
    start = -1;
  }
  for (const m of runs) {
    if (found.length >= MAX_BLOBS) break;
    const run = m.run;
    let text: string | undefined;
    let kind: DecodedBlob["kind"] = "base64";
    if (run.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(run)) {
      kind = "hex";
      text = Buffer.from(run, "hex").toString("latin1");
    } else if (/[0-9+/=]/.test(run) || /[a-z]/.test(run) && /[A-Z]/.test(run)) {
      text = Buffer.from(run.replace(/[-_]/g, (c) => (c === "-" ? "+" : "/")), "base64").toString("utf8");
    }
    if (text !== undefined && readable(text)) found.push({ kind, start: m.index, end: m.index + run.length, text });
  }
  if (s.includes("00")) {
    BIN_RUN.lastIndex = 0;
    for (let m = BIN_RUN.exec(s); m && found.length < MAX_BLOBS; m = BIN_RUN.exec(s)) {
      const bits = m[0].replace(/ /g, "");
      let text = "";
      for (let k = 0; k + 8 <= bits.length; k += 8) text += String.fromCharCode(parseInt(bits.slice(k, k + 8), 2));
      if (readable(text)) found.push({ kind: "binary", start: m.index, end: m.index + m[0].length, text });
    }
  }
  // Percent-encoding: the whitespace-delimited token around each "%xx", once per token.
  for (let p = s.indexOf("%"); p >= 0 && found.length < MAX_BLOBS; ) {
    let a = p;
    while (a > 0 && p - a < 256 && !isSpace(s.charCodeAt(a - 1))) a--;
    let b = p;
    while (b < s.length && b - p < 4096 && !isSpace(s.charCodeAt(b))) b++;
    const token = s.slice(a, b);
    if ((token.match(/%[0-9A-Fa-f]{2}/g)?.length ?? 0) >= 3) {
      try {
        const text = decodeURIComponent(token.replace(/\+/g, " ").replace(/%(?![0-9A-Fa-f]{2})/g, "%25"));
        if (/\s/.test(text) && readable(text)) found.push({ kind: "url-encoded", start: a, end: b, text });
      } catch {
        // malformed UTF-8 sequence: not text
      }
    }
    p = s.indexOf("%", Math.max(b, p + 1));
  }
  return found;
}

/** Mostly printable, contains at least one space and some letters: natural-language-like. */
function readable(t: string): boolean {
  if (t.length < 8) return false;
  let printable = 0;
  let letters = 0;
  let spaces = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 0xfffd) continue;
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c >= 0xa0) printable++;
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c >= 0xc0) letters++;
    if (c === 0x20) spaces++;
  }
  return printable >= t.length * 0.9 && letters >= t.length * 0.5 && spaces >= 1;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
