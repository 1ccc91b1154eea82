/**
 * Hashed n-gram features shared by the runtime model and the training script (which imports the
 * compiled copy from dist/, so both sides tokenise identically).
 *
 * Tokens: runs of Latin/Cyrillic/Hangul/other letters and digits; each CJK ideograph or kana is
 * its own token (no spaces in those scripts, bigrams then act as words); a few punctuation marks
 * that build role markers (< > | [ ] # : { }) are tokens too. Per token: its unigram, the bigram
 * with the previous token, for long words a 5-character prefix (inflection-tolerant), and for the
 * first word of a sentence or line that word again as a "sentence start" feature: imperatives
 * ("Translate ...", "Forward ...") open sentences, while the same verbs inside data sentences are
 * nouns or reported speech.
 */
export const FEATURES_PER_TOKEN = 4;

// Sentence and line ends (skipped characters) after which the next word is a sentence start:
// . ! ? ; LF and the CJK full stop / fullwidth ! ?. The punctuation tokens ":" "#" ">" "|" "]" open
// one too ("Note: ...", "## ...", "> ...", table cells).
const SENTENCE_END = new Uint8Array(0x80);
for (const c of [0x2e, 0x21, 0x3f, 0x3b, 0x0a]) SENTENCE_END[c] = 1;
const OPENS_SENTENCE = new Uint8Array(0x80);
for (const c of [0x3a, 0x23, 0x3e, 0x7c, 0x5d]) OPENS_SENTENCE[c] = 1;
function endsSentence(c: number): boolean {
  return c < 0x80 ? SENTENCE_END[c] === 1 : c === 0x3002 || c === 0xff01 || c === 0xff1f;
}

export interface TokenFeatures {
  /** Token count. */
  count: number;
  /** ids[t * FEATURES_PER_TOKEN + k]: feature bucket, or -1 for none. */
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
  let bos = true;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    let j = i + 1;
    let h = 0x811c9dc5;
    let prefix = -1;
    let word = false;
    if (isWord(c)) {
      word = true;
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
      if (endsSentence(c)) bos = true;
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
    ids[base + 3] = bos && word ? mix(h, 4) & mask : -1;
    bos = c < 0x80 && OPENS_SENTENCE[c] === 1;
    starts[count] = i;
    ends[count] = j;
    prev = h;
    count++;
    i = j;
  }
  return { count, ids: ids.subarray(0, count * FEATURES_PER_TOKEN), starts: starts.subarray(0, count), ends: ends.subarray(0, count) };
}

// Character classes below 0x80 for the fused scorer: 0 skipped, 1 word character, 2 one-character
// token, 3 one-character token that opens a sentence, 4 skipped sentence end.
const ASCII_CLASS = new Uint8Array(0x80);
for (let c = 0; c < 0x80; c++) ASCII_CLASS[c] = isWord(c) ? 1 : PUNCT.has(c) ? (OPENS_SENTENCE[c] === 1 ? 3 : 2) : SENTENCE_END[c] === 1 ? 4 : 0;

export { ASCII_CLASS as TOKEN_CLASS };

/** `ASCII_CLASS` for any code unit. */
function classOf(c: number): number {
  return c < 0x80 ? ASCII_CLASS[c]! : isWord(c) ? 1 : isCjk(c) ? 2 : c === 0x3002 || c === 0xff01 || c === 0xff1f ? 4 : 0;
}

/** Per-token contribution sums and spans of `scoreTokens` (views valid until the next call). */
export interface TokenScores {
  count: number;
  contrib: Float64Array;
  starts: Int32Array;
  ends: Int32Array;
}

const fused = { cap: 0, contrib: new Float64Array(0), starts: new Int32Array(0), ends: new Int32Array(0) };

/**
 * The buffers `scoreTokens` returns views of, for a scorer elsewhere that fills them the same way
 * (`normaliseAndScore`): grown to hold at least `cap` tokens, contents kept.
 */
export function tokenScratch(cap: number): { cap: number; contrib: Float64Array; starts: Int32Array; ends: Int32Array } {
  if (fused.cap < cap) growFused(Math.max(cap, fused.cap * 2));
  return fused;
}

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
 * bigram, then prefix, then sentence start, added in that order like `tokenContributions`, so sums are bit-identical),
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
  /**
   * Optional prefilter: `asciiToken` is only called when `filter[hash & filterMask] !== 0` or the
   * token is followed by an apostrophe or hyphen (the sink then rehashes the longer run).
   */
  readonly filter?: Uint8Array;
  readonly filterMask?: number;
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
  let bos = true;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const cls = classOf(c);
    if (cls === 0 || cls === 4) {
      if (cls === 4) bos = true;
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
    if (bos && cls === 1) sum += w[mix(h, 4) & mask]!;
    bos = cls === 3;
    contrib[count] = sum;
    starts[count] = i;
    ends[count] = j;
    prev = h;
    count++;
    i = j;
  }
  return { count, contrib, starts, ends };
}

/** Where a tokeniser walk stands: tokens so far (in the scratch buffers), last hash, sentence start. */
export interface WalkState {
  count: number;
  prev: number;
  bos: boolean;
}

export const WALK_START: Readonly<WalkState> = Object.freeze({ count: 0, prev: 0x9e3779b1, bos: true });

/**
 * `scoreTokens` (int8 weights) from `text[from]` on, continuing a walk that stopped there with
 * `state` (its tokens are in the scratch buffers): the fused normaliser scores the text it wrote
 * itself and leaves the appended decoded blobs to this.
 */
export function scoreInt8From(text: string, from: number, state: WalkState, bits: number, q: Uint8Array, levels: Float64Array, sink: TokenSink | undefined): TokenScores {
  return scoreInt8(text, bits, q, levels, sink, from, state);
}

function scoreInt8(text: string, bits: number, q: Uint8Array, levels: Float64Array, sink: TokenSink | undefined, from = 0, state: Readonly<WalkState> = WALK_START): TokenScores {
  const mask = (1 << bits) - 1;
  const filter = sink?.filter ?? ALL;
  const filterMask = sink?.filter !== undefined ? sink.filterMask! : 0;
  const n = text.length;
  if (fused.cap < (n >> 2) + 16) growFused((n >> 2) + 16);
  let cap = fused.cap;
  let contrib = fused.contrib;
  let starts = fused.starts;
  let ends = fused.ends;
  let count = state.count;
  let prev = state.prev;
  let bos = state.bos;
  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    const cls = classOf(c);
    if (cls === 0 || cls === 4) {
      if (cls === 4) bos = true;
      if (c >= 0x80 && sink !== undefined) sink.scanRange(text, i, i + 1);
      i++;
      continue;
    }
    let j = i + 1;
    let h = Math.imul(0x811c9dc5 ^ c, 0x01000193);
    let prefix = -1;
    let wide = c >= 0x80;
    // The character that ended a word token (0 at the end of the text).
    let stop = 0;
    if (cls === 1) {
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d < 0x80) {
          if (ASCII_CLASS[d] !== 1) {
            stop = d;
            break;
          }
        } else if (isWord(d)) wide = true;
        else break;
        h = Math.imul(h ^ d, 0x01000193);
        if (j - i === 4) prefix = h;
      }
      if (j - i < 7) prefix = -1;
    }
    if (sink !== undefined) {
      if (wide) sink.scanRange(text, i, j);
      else if (cls === 1 && (filter[h & filterMask] !== 0 || stop === 0x27 || stop === 0x2d)) sink.asciiToken(text, i, j, h);
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
    if (bos && cls === 1) sum += levels[q[mix(h, 4) & mask]!]!;
    bos = cls === 3;
    contrib[count] = sum;
    starts[count] = i;
    ends[count] = j;
    prev = h;
    count++;
    i = j;
  }
  return { count, contrib, starts, ends };
}

// The no-prefilter filter: one slot, never zero.
const ALL = Uint8Array.of(1);

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

/** The feature hash: bucket of a token, bigram or prefix hash `h` for feature kind `salt` (before masking). */
export function mix(h: number, salt: number): number {
  h = Math.imul(h ^ (h >>> 16) ^ salt, 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
