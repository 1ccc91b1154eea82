/**
 * Hashed n-gram features shared by the runtime model and the training script (which imports the
 * compiled copy from dist/, so both sides tokenise identically).
 *
 * Tokens: runs of Latin/Cyrillic/Hangul/other letters and digits; each CJK ideograph or kana is
 * its own token (no spaces in those scripts, bigrams then act as words); a few punctuation marks
 * that build role markers (< > | [ ] # : { }) are tokens too. Per token: its unigram, the bigram
 * with the previous token, and for long words a 5-character prefix (inflection-tolerant).
 */
export const FEATURES_PER_TOKEN = 3;

export interface TokenFeatures {
  /** Token count. */
  count: number;
  /** ids[t * 3 + k]: feature bucket, or -1 for none. */
  ids: Int32Array;
  /** Normalised-text span of each token. */
  starts: Int32Array;
  ends: Int32Array;
}

const PUNCT = new Set([0x3c, 0x3e, 0x7c, 0x5b, 0x5d, 0x23, 0x3a, 0x7b, 0x7d]);

function isCjk(c: number): boolean {
  return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff);
}

function isWord(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && !isCjk(c) && (c < 0x2000 || c >= 0xac00 || (c >= 0xd800 && c <= 0xdfff)) && !(c >= 0x3000 && c < 0x3040) && !(c >= 0xff00 && c <= 0xff65));
}

export function extractFeatures(text: string, bits: number): TokenFeatures {
  const mask = (1 << bits) - 1;
  const n = text.length;
  // Scratch buffers reused across calls (no per-call allocation on the hot path); the returned
  // arrays are views that stay valid until the next call.
  let cap = scratch.cap;
  if (cap < (n >> 2) + 16) grow((n >> 2) + 16);
  cap = scratch.cap;
  let ids = scratch.ids;
  let starts = scratch.starts;
  let ends = scratch.ends;
  let count = 0;
  let prev = 0x9e3779b1;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    let j = i + 1;
    let h = 0x811c9dc5;
    let prefix = -1;
    if (isWord(c)) {
      h = Math.imul(h ^ c, 0x01000193);
      while (j < n && isWord(text.charCodeAt(j))) {
        h = Math.imul(h ^ text.charCodeAt(j), 0x01000193);
        if (j - i === 4) prefix = h;
        j++;
      }
      if (j - i < 7) prefix = -1;
    } else if (isCjk(c) || PUNCT.has(c)) {
      h = Math.imul(h ^ c, 0x01000193);
    } else {
      i++;
      continue;
    }
    if (count === cap) {
      grow(cap * 2);
      cap = scratch.cap;
      ids = scratch.ids;
      starts = scratch.starts;
      ends = scratch.ends;
    }
    const base = count * FEATURES_PER_TOKEN;
    ids[base] = mix(h, 1) & mask;
    ids[base + 1] = mix(Math.imul(prev, 0x2545f491) ^ h, 2) & mask;
    ids[base + 2] = prefix === -1 ? -1 : mix(prefix, 3) & mask;
    starts[count] = i;
    ends[count] = j;
    prev = h;
    count++;
    i = j;
  }
  return { count, ids: ids.subarray(0, count * FEATURES_PER_TOKEN), starts: starts.subarray(0, count), ends: ends.subarray(0, count) };
}

const scratch = { cap: 0, ids: new Int32Array(0), starts: new Int32Array(0), ends: new Int32Array(0) };

function grow(cap: number): void {
  const ids = new Int32Array(cap * FEATURES_PER_TOKEN);
  ids.set(scratch.ids);
  const starts = new Int32Array(cap);
  starts.set(scratch.starts);
  const ends = new Int32Array(cap);
  ends.set(scratch.ends);
  Object.assign(scratch, { cap, ids, starts, ends });
}

function mix(h: number, salt: number): number {
  h = Math.imul(h ^ (h >>> 16) ^ salt, 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
