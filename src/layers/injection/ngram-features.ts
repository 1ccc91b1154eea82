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

// Character classes below 0x80 for the fused scorer: 1 word character, 2 one-character token.
const ASCII_CLASS = new Uint8Array(0x80);
for (let c = 0; c < 0x80; c++) ASCII_CLASS[c] = isWord(c) ? 1 : PUNCT.has(c) ? 2 : 0;

/** Per-token contribution sums and spans of `scoreTokens` (views valid until the next call). */
export interface TokenScores {
  count: number;
  contrib: Float64Array;
  starts: Int32Array;
  ends: Int32Array;
}

const fused = { cap: 0, contrib: new Float64Array(0), starts: new Int32Array(0), ends: new Int32Array(0) };

function growFused(cap: number): void {
  const contrib = new Float64Array(cap);
  contrib.set(fused.contrib);
  const starts = new Int32Array(cap);
  starts.set(fused.starts);
  const ends = new Int32Array(cap);
  ends.set(fused.ends);
  Object.assign(fused, { cap, contrib, starts, ends });
}

/**
 * `extractFeatures` and the weight lookup in one pass: each token's summed weight (unigram, then
 * bigram, then prefix, added in that order like `tokenContributions`, so sums are bit-identical),
 * without materialising feature ids. Same tokenisation and hashing as `extractFeatures` (tested).
 */
export function scoreTokens(text: string, bits: number, w: Float32Array): TokenScores;
/** The same with weights as int8 codes (two's complement bytes) and their values in `levels`. */
export function scoreTokens(text: string, bits: number, q: Uint8Array, levels: Float64Array, sink?: TokenSink): TokenScores;
export function scoreTokens(text: string, bits: number, w: Float32Array | Uint8Array, levels?: Float64Array, sink?: TokenSink): TokenScores {
  return levels === undefined ? scoreFloat(text, bits, w as Float32Array) : scoreInt8(text, bits, w as Uint8Array, levels, sink);
}

/**
 * Receives the tokeniser's walk so that another scan (the rule triggers) can ride along: every
 * word token made of [a-z0-9] only, with its FNV-1a hash (the hash the trigger table uses), and
 * every other stretch holding non-ASCII characters (which the sink rescans itself).
 */
export interface TokenSink {
  asciiToken(text: string, start: number, end: number, hash: number): void;
  scanRange(text: string, start: number, end: number): void;
}

// Two copies of one loop (the weight read differs) so that each stays monomorphic.
function scoreFloat(text: string, bits: number, w: Float32Array): TokenScores {
  const mask = (1 << bits) - 1;
  const n = text.length;
  if (fused.cap < (n >> 2) + 16) growFused((n >> 2) + 16);
  let cap = fused.cap;
  let contrib = fused.contrib;
  let starts = fused.starts;
  let ends = fused.ends;
  let count = 0;
  let prev = 0x9e3779b1;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const cls = c < 0x80 ? ASCII_CLASS[c]! : isWord(c) ? 1 : isCjk(c) ? 2 : 0;
    if (cls === 0) {
      i++;
      continue;
    }
    let j = i + 1;
    let h = Math.imul(0x811c9dc5 ^ c, 0x01000193);
    let prefix = -1;
    if (cls === 1) {
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d < 0x80 ? ASCII_CLASS[d] !== 1 : !isWord(d)) break;
        h = Math.imul(h ^ d, 0x01000193);
        if (j - i === 4) prefix = h;
      }
      if (j - i < 7) prefix = -1;
    }
    if (count === cap) {
      growFused(cap * 2);
      cap = fused.cap;
      contrib = fused.contrib;
      starts = fused.starts;
      ends = fused.ends;
    }
    let sum = 0;
    sum += w[mix(h, 1) & mask]!;
    sum += w[mix(Math.imul(prev, 0x2545f491) ^ h, 2) & mask]!;
    if (prefix !== -1) sum += w[mix(prefix, 3) & mask]!;
    contrib[count] = sum;
    starts[count] = i;
    ends[count] = j;
    prev = h;
    count++;
    i = j;
  }
  return { count, contrib, starts, ends };
}

function scoreInt8(text: string, bits: number, q: Uint8Array, levels: Float64Array, sink: TokenSink | undefined): TokenScores {
  const mask = (1 << bits) - 1;
  const n = text.length;
  if (fused.cap < (n >> 2) + 16) growFused((n >> 2) + 16);
  let cap = fused.cap;
  let contrib = fused.contrib;
  let starts = fused.starts;
  let ends = fused.ends;
  let count = 0;
  let prev = 0x9e3779b1;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const cls = c < 0x80 ? ASCII_CLASS[c]! : isWord(c) ? 1 : isCjk(c) ? 2 : 0;
    if (cls === 0) {
      if (c >= 0x80 && sink !== undefined) sink.scanRange(text, i, i + 1);
      i++;
      continue;
    }
    let j = i + 1;
    let h = Math.imul(0x811c9dc5 ^ c, 0x01000193);
    let prefix = -1;
    let wide = c >= 0x80;
    if (cls === 1) {
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d < 0x80) {
          if (ASCII_CLASS[d] !== 1) break;
        } else if (isWord(d)) wide = true;
        else break;
        h = Math.imul(h ^ d, 0x01000193);
        if (j - i === 4) prefix = h;
      }
      if (j - i < 7) prefix = -1;
    }
    if (sink !== undefined) {
      if (wide) sink.scanRange(text, i, j);
      else if (cls === 1) sink.asciiToken(text, i, j, h);
    }
    if (count === cap) {
      growFused(cap * 2);
      cap = fused.cap;
      contrib = fused.contrib;
      starts = fused.starts;
      ends = fused.ends;
    }
    let sum = 0;
    sum += levels[q[mix(h, 1) & mask]!]!;
    sum += levels[q[mix(Math.imul(prev, 0x2545f491) ^ h, 2) & mask]!]!;
    if (prefix !== -1) sum += levels[q[mix(prefix, 3) & mask]!]!;
    contrib[count] = sum;
    starts[count] = i;
    ends[count] = j;
    prev = h;
    count++;
    i = j;
  }
  return { count, contrib, starts, ends };
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
