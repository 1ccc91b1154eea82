/** A run of encoded text that decoded to something readable. Offsets are in the original text. */
export interface DecodedBlob {
  kind: "base64" | "hex" | "url-encoded" | "binary";
  start: number;
  end: number;
  text: string;
}

// Character classes only, no nested quantifiers: linear scans.
const BIN_RUN = /(?:[01]{8}[ ]?){6,}/g;
// Module-level, not literals in the functions: V8 gives each evaluation of a literal its own
// object, and a global replace or match on a fresh one compiles it to native code again.
const SPACES = / /g;
const PERCENT_ESCAPE = /%[0-9A-Fa-f]{2}/g;
const PLUS = /\+/g;
const LONE_PERCENT = /%(?![0-9A-Fa-f]{2})/g;
const WHITESPACE = /\s/;
const MAX_BLOBS = 64;
// The base64 / base64url / hex alphabet (a table over all UTF-16 code units: no range check).
const B64 = new Uint8Array(0x10000);
for (let c = 0; c < 128; c++) if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f || c === 0x5f || c === 0x2d) B64[c] = 1;

/**
 * Finds base64, hex and percent-encoded runs that decode to mostly printable text with spaces
 * (i.e. words, not binary or identifiers), so hidden instructions get scanned like plain ones.
 */
export function decodeBlobs(s: string, mayHaveRuns: boolean | readonly number[] = true): DecodedBlob[] {
  const found: DecodedBlob[] = [];
  const len = s.length;
  if (typeof mayHaveRuns !== "boolean") {
    // The caller's own pass listed where the maximal runs of 20+ alphabet characters start.
    for (let r = 0; r < mayHaveRuns.length && r < MAX_BLOBS * 4 && found.length < MAX_BLOBS; r++) decodeRun(s, mayHaveRuns[r]!, found);
  } else {
    // Runs of 20+ characters of the base64 alphabet, found by checking the last character of a
    // 20-character window first and skipping past the rightmost character outside the alphabet
    // (Boyer-Moore style): most text is rejected by looking at one character in ten or so.
    let runs = 0;
    // `mayHaveRuns` false: the caller's own scan saw no run of 20 alphabet characters.
    for (let i = 0; mayHaveRuns && i + 20 <= len && found.length < MAX_BLOBS; ) {
      let k = 19;
      while (k >= 0 && B64[s.charCodeAt(i + k)] === 1) k--;
      if (k >= 0) {
        i += k + 1;
        continue;
      }
      // s[i, i+20) is in the alphabet and s[i-1] is not (or i is 0): a run starts at i.
      i = decodeRun(s, i, found) + 1;
      if (++runs >= MAX_BLOBS * 4) break;
    }
  }
  // Readable text holds a space, and a space is the group "00100000": no such group, no blob.
  if (s.includes("00100000")) {
    BIN_RUN.lastIndex = 0;
    for (let m = BIN_RUN.exec(s); m && found.length < MAX_BLOBS; m = BIN_RUN.exec(s)) {
      const bits = m[0].replace(SPACES, "");
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
    if ((token.match(PERCENT_ESCAPE)?.length ?? 0) >= 3) {
      try {
        const text = decodeURIComponent(token.replace(PLUS, " ").replace(LONE_PERCENT, "%25"));
        if (WHITESPACE.test(text) && readable(text)) found.push({ kind: "url-encoded", start: a, end: b, text });
      } catch {
        // malformed UTF-8 sequence: not text
      }
    }
    p = s.indexOf("%", Math.max(b, p + 1));
  }
  return found;
}

/**
 * Decodes the maximal alphabet run starting at `i` (20+ characters) if it reads as text, and
 * returns where the run ends. One loop over it gives what the decoders need to know: hex digits
 * only? digits, + or /? both cases?
 */
function decodeRun(s: string, i: number, found: DecodedBlob[]): number {
  const len = s.length;
  let end = i + 20;
  while (end < len && B64[s.charCodeAt(end)] === 1) end++;
  const runEnd = end;
  while (end < len && end - runEnd < 2 && s.charCodeAt(end) === 0x3d) end++;
  let hex = end === runEnd;
  let symbol = end !== runEnd;
  let lower = false;
  let upper = false;
  for (let q = i; q < runEnd; q++) {
    const c = s.charCodeAt(q);
    if (c >= 0x61 && c <= 0x7a) {
      lower = true;
      if (c > 0x66) hex = false;
    } else if (c >= 0x41 && c <= 0x5a) {
      upper = true;
      if (c > 0x46) hex = false;
    } else if (c >= 0x30 && c <= 0x39) symbol = true;
    else {
      hex = false;
      if (c === 0x2b || c === 0x2f) symbol = true;
    }
  }
  let text: string | undefined;
  let kind: DecodedBlob["kind"] = "base64";
  // `readable` needs a space, and a decoded space can only come from a 0x20 byte: runs whose
  // bytes hold none (nearly all identifiers, hashes, paths) are rejected without decoding.
  if ((end - i) % 2 === 0 && hex) {
    kind = "hex";
    if (hexHasSpace(s, i, end)) text = Buffer.from(s.slice(i, end), "hex").toString("latin1");
  } else if (symbol || (lower && upper)) {
    // Node's base64 decoder reads the base64url alphabet ("-", "_") as well.
    if (base64HasSpaceAt(s, i, end)) text = Buffer.from(s.slice(i, end), "base64").toString("utf8");
  }
  if (text !== undefined && readable(text)) found.push({ kind, start: i, end, text });
  return runEnd;
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

// Sextet values of the base64 and base64url alphabets (-1: not a data character).
const SEXTET = new Int8Array(128).fill(-1);
for (let k = 0; k < 64; k++) SEXTET["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(k)] = k;
SEXTET[0x2d] = 62;
SEXTET[0x5f] = 63;

/** Whether the base64 bytes of `run` (data characters up to the first "=") include 0x20. */
export function base64HasSpace(run: string): boolean {
  return base64HasSpaceAt(run, 0, run.length);
}

function base64HasSpaceAt(s: string, from: number, to: number): boolean {
  let acc = 0;
  let bits = 0;
  for (let k = from; k < to; k++) {
    const v = SEXTET[s.charCodeAt(k)] ?? -1;
    if (v < 0) {
      // "=" padding ends the data; anything else is unexpected here: let the decoder decide.
      if (s.charCodeAt(k) === 0x3d) return false;
      return true;
    }
    acc = ((acc << 6) | v) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (((acc >> bits) & 0xff) === 0x20) return true;
    }
  }
  return false;
}

/** Whether the hex bytes of s[from, to) (even length, hex digits) include 0x20. */
function hexHasSpace(s: string, from: number, to: number): boolean {
  for (let k = from; k + 1 < to; k += 2) if (s.charCodeAt(k) === 0x32 && s.charCodeAt(k + 1) === 0x30) return true;
  return false;
}
