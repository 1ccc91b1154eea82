import { decodeBlobs } from "./decode-blobs.js";
import { foldChar } from "./fold-char.js";
import { mix, scoreInt8From, TOKEN_CLASS, tokenScratch, type TokenScores, type TokenSink } from "./ngram-features.js";

/** Evidence the normaliser found that the text was disguised (a reason on its own to look closer). */
export type ObfuscationSignal =
  | "zero-width"
  | "bidi"
  | "tag-chars"
  | "ansi"
  | "homoglyph"
  | "leet"
  | "fullwidth"
  | "base64"
  | "hex"
  | "url-encoded"
  | "binary"
  | "html-entity"
  | "whitespace-padding";

export interface NormalisedText {
  /** Lower-cased, folded text the rules and the model read. Decoded blobs are appended after "\n". */
  readonly text: string;
  /** starts[i] / ends[i]: the span of the original text that produced normalised code unit i. */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly signals: ReadonlySet<ObfuscationSignal>;
  /** Original span of a normalised span [start, end). */
  toOriginal(start: number, end: number): { start: number; end: number };
}

const MAX_DEPTH = 2;

/**
 * Folds disguises away so that one set of rules sees every spelling of an instruction:
 * invisible characters (zero-width, bidi, Unicode tags, which can smuggle ASCII), ANSI escapes,
 * NFKC + diacritics + case, HTML entities, whitespace runs, mixed-script homoglyphs, leetspeak,
 * and base64 / hex / URL-encoded blobs (decoded and appended). Every output code unit keeps the
 * original span it came from, so verdict offsets point into the caller's text.
 * Single pass per step, no backtracking: linear in the input.
 */
export function normaliseText(original: string, depth = 0): NormalisedText {
  // Most tool output is plain printable ASCII: lower-case, whitespace and leet folding with
  // native string operations, and no offset tables until a caller asks for a span.
  const fast = fastAscii(original, depth);
  if (fast !== undefined) return fast;
  const r = normaliseCore(original, depth, false);
  return new LazyNormalised(original, depth, r.text, r.signals);
}

/** `normaliseText` for a text `normaliseAndScore` turned down (no second try of the ASCII path). */
export function normaliseGeneral(original: string): NormalisedText {
  const r = normaliseCore(original, 0, false);
  return new LazyNormalised(original, 0, r.text, r.signals);
}

/** The full normaliser with its offset tables (what `toOriginal` uses; exported for tests). */
export function normaliseTracked(original: string, depth = 0): { text: string; starts: Int32Array; ends: Int32Array; signals: Set<ObfuscationSignal> } {
  const r = normaliseCore(original, depth, true);
  return { text: r.text, starts: r.starts!, ends: r.ends!, signals: r.signals };
}

let asciiScratch = Buffer.allocUnsafe(4096);
// Printable ASCII for the one-pass path: 0 not plain (general path), 1 a-z, 2 A-Z, 3 digit,
// 4 other printable, 5 space or tab, 6 LF or CR. "&" is 0 (the start of an HTML entity or not).
const PLAIN_CLASS = new Uint8Array(0x80);
for (let c = 0x20; c < 0x7f; c++) PLAIN_CLASS[c] = c >= 0x61 && c <= 0x7a ? 1 : c >= 0x41 && c <= 0x5a ? 2 : c >= 0x30 && c <= 0x39 ? 3 : 4;
PLAIN_CLASS[0x26] = 0;
PLAIN_CLASS[0x20] = PLAIN_CLASS[0x09] = 5;
PLAIN_CLASS[0x0a] = PLAIN_CLASS[0x0d] = 6;

/**
 * The printable-ASCII path in one pass: lower case; every maximal run of [ \t\n\r] becomes "\n"
 * when it holds a line break and " " otherwise; 40 blanks in a row are a padding signal; every
 * maximal [a-z0-9] run mixing letters and leet digits is folded like `leetFold`. The same result
 * as the general normaliser (tested) without its offset bookkeeping. Returns undefined at the first
 * character outside printable ASCII, tab, LF and CR, or an HTML entity: the general path.
 */
function fastAscii(original: string, depth: number): NormalisedText | undefined {
  const n = original.length;
  if (asciiScratch.length < n) asciiScratch = Buffer.allocUnsafe(n * 2);
  const out = asciiScratch;
  let o = 0;
  let blanks = 0;
  let padding = false;
  let leetFound = false;
  let wsAt = -1;
  let runStart = -1;
  let latin = 0;
  let digits = 0;
  let leet = 0;
  // Length of the current run of the base64 alphabet: without a run of 20, no blob to decode.
  // Where each run of 20+ starts goes to the blob decoder, which then need not look for them.
  let b64 = 0;
  const runs: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = original.charCodeAt(i);
    const k = c < 0x80 ? PLAIN_CLASS[c]! : 0;
    if (k === 1 || k === 2) {
      // Letters (the common case): take the whole run of them at once.
      if (runStart < 0) {
        runStart = o;
        latin = digits = leet = 0;
      }
      blanks = 0;
      wsAt = -1;
      let j = i;
      let d = c;
      do {
        out[o++] = d | 0x20;
        if (++j === n) break;
        d = original.charCodeAt(j);
      } while (((d | 0x20) - 0x61) >>> 0 < 26);
      latin += j - i;
      b64 += j - i;
      i = j - 1;
      continue;
    }
    if (k === 3) {
      if (runStart < 0) {
        runStart = o;
        latin = digits = leet = 0;
      }
      digits++;
      if (LEET[c] !== 0) leet++;
      b64++;
      blanks = 0;
      wsAt = -1;
      out[o++] = c;
      continue;
    }
    // Outside printable ASCII, or an HTML entity: the general path. A bare "&" is plain.
    if (k === 0 && (c !== 0x26 || decodeEntity(original, i) !== undefined)) return undefined;
    if (c === 0x2b || c === 0x2f || c === 0x2d || c === 0x5f) b64++;
    else {
      if (b64 >= 20) runs.push(i - b64);
      b64 = 0;
    }
    if (runStart >= 0) {
      // "1gn0r3": at least two letters and only leet digits (see `foldWords`).
      if (leet > 0 && latin >= 2 && digits === leet && digits <= latin + 1) {
        for (let q = runStart; q < o; q++) {
          const d = out[q]!;
          if (d < 0x3a && LEET[d] !== 0) out[q] = LEET[d]!;
        }
        leetFound = true;
      }
      runStart = -1;
    }
    if (k >= 5) {
      // blank: 5 space or tab, 6 line break
      if (++blanks === 40) padding = true;
      if (wsAt < 0) {
        wsAt = o;
        out[o++] = 0x20;
      }
      if (k === 6) out[wsAt] = 0x0a;
      continue;
    }
    blanks = 0;
    wsAt = -1;
    out[o++] = c;
  }
  if (runStart >= 0 && leet > 0 && latin >= 2 && digits === leet && digits <= latin + 1) {
    for (let q = runStart; q < o; q++) {
      const d = out[q]!;
      if (d < 0x3a && LEET[d] !== 0) out[q] = LEET[d]!;
    }
    leetFound = true;
  }
  if (b64 >= 20) runs.push(n - b64);
  // Signals in the order the earlier multi-pass version added them.
  const signals = new Set<ObfuscationSignal>();
  if (padding) signals.add("whitespace-padding");
  if (leetFound) signals.add("leet");
  let text = out.toString("latin1", 0, o);
  if (depth < MAX_DEPTH) text += appendBlobs(original, depth, signals, undefined, runs);
  return new LazyNormalised(original, depth, text, signals);
}

// State of the scored walk in `normaliseAndScore` (module-level, so that `emitToken` is a plain
// function call rather than a closure): tokens so far, the previous token's hash, sentence start.
let wCount = 0;
let wPrev = 0;
let wBos = true;
let wCap = 0;
let wContrib: Float64Array = new Float64Array(0);
let wStarts: Int32Array = new Int32Array(0);
let wEnds: Int32Array = new Int32Array(0);
let wQ: Uint8Array = new Uint8Array(0);
let wLevels: Float64Array = new Float64Array(0);
let wMask = 0;
// What the trigger scanner must see, handed over once the text exists: word tokens (start, end,
// hash), and non-ASCII characters (start, -1, 0) for `scanRange`.
let sinkTokens = new Int32Array(3 * 64);
let sinkCount = 0;

// Non-ASCII characters the scored walk keeps as they are (dashes, bullets, arrows, curly quotes,
// symbols): the general normaliser leaves them unchanged (not invisible, not a space, folding to
// themselves), they are no word characters for `foldWords` or the tokeniser, and the base64 run
// search skips them. Where they went in the output (a placeholder byte until the text is built).
const NEUTRAL_FROM = 0x2010;
const NEUTRAL_TO = 0x2c00;
const NEUTRAL = new Uint8Array(NEUTRAL_TO - NEUTRAL_FROM).fill(2);
let neutralAt = new Int32Array(64);
let neutralChar = new Uint16Array(64);
let neutralCount = 0;
let wide = new Uint16Array(0);

// Latin letters with diacritics below U+0250 that the general normaliser folds to one letter a-z
// ("é" to "e"): 0 when not, 0xff until first seen.
const LATIN_TO = 0x250;
const LATIN = new Uint8Array(LATIN_TO).fill(0xff);

function latinLetter(c: number): number {
  const f = foldChar(c);
  const l = f.length === 1 ? f.charCodeAt(0) : 0;
  return (LATIN[c] = !isInvisible(c) && !isUnicodeSpace(c) && l >= 0x61 && l <= 0x7a ? l : 0);
}

/** Whether `c` (in the NEUTRAL range) is such a character, decided on first sight. */
function neutralMark(c: number): number {
  const f = foldChar(c);
  const keep = !isInvisible(c) && !isUnicodeSpace(c) && f.length === 1 && f.charCodeAt(0) === c;
  return (NEUTRAL[c - NEUTRAL_FROM] = keep ? 1 : 0);
}

/** One token of the scored walk: the same sum, in the same order, as `scoreTokens`. */
function emitToken(h: number, prefix: number, word: boolean, opensSentence: boolean, start: number, end: number): void {
  if (wCount === wCap) {
    const s = tokenScratch(wCap * 2 + 16);
    wCap = s.cap;
    wContrib = s.contrib;
    wStarts = s.starts;
    wEnds = s.ends;
  }
  let sum = 0;
  sum += wLevels[wQ[mix(h, 1) & wMask]!]!;
  sum += wLevels[wQ[mix(Math.imul(wPrev, 0x2545f491) ^ h, 2) & wMask]!]!;
  if (prefix !== -1) sum += wLevels[wQ[mix(prefix, 3) & wMask]!]!;
  if (wBos && word) sum += wLevels[wQ[mix(h, 4) & wMask]!]!;
  wBos = opensSentence;
  wContrib[wCount] = sum;
  wStarts[wCount] = start;
  wEnds[wCount] = end;
  wPrev = h;
  wCount++;
}

function pushSinkToken(start: number, end: number, h: number): void {
  if (3 * sinkCount === sinkTokens.length) {
    const b = new Int32Array(sinkTokens.length * 2);
    b.set(sinkTokens);
    sinkTokens = b;
  }
  sinkTokens[3 * sinkCount] = start;
  sinkTokens[3 * sinkCount + 1] = end;
  sinkTokens[3 * sinkCount + 2] = h;
  sinkCount++;
}

/**
 * `normaliseText` and the model's token walk over its result (`scoreTokens` with int8 weights and
 * the trigger sink) in one pass: the one-pass normaliser hashes each [a-z0-9] run as it writes it
 * and scores it when it ends, so the tokeniser's own pass over the text is left out (decoded blobs
 * appended after the text are walked as usual). For printable ASCII (a bare "&" included) plus
 * the neutral marks and the Latin letters above; anything else (an HTML entity, other scripts,
 * invisible characters, emoji...) returns undefined at its first occurrence, and the caller takes
 * the two steps (`normaliseGeneral`, then `scoreTokens`). Same text, signals, token sums and spans,
 * and the same sink calls in the same order as the two steps (tested).
 */
export function normaliseAndScore(original: string, bits: number, q: Uint8Array, levels: Float64Array, sink: TokenSink): { norm: NormalisedText; scores: TokenScores } | undefined {
  const n = original.length;
  if (asciiScratch.length < n) asciiScratch = Buffer.allocUnsafe(n * 2);
  const out = asciiScratch;
  const filter = sink.filter;
  const filterMask = sink.filterMask ?? 0;
  const s0 = tokenScratch((n >> 2) + 16);
  wCap = s0.cap;
  wContrib = s0.contrib;
  wStarts = s0.starts;
  wEnds = s0.ends;
  wQ = q;
  wLevels = levels;
  wMask = (1 << bits) - 1;
  wCount = 0;
  wPrev = 0x9e3779b1;
  wBos = true;
  sinkCount = 0;
  neutralCount = 0;
  let o = 0;
  let blanks = 0;
  let padding = false;
  let leetFound = false;
  let wsAt = -1;
  let runStart = -1;
  let latin = 0;
  let digits = 0;
  let leet = 0;
  // FNV-1a of the current run as written, and of its first five characters.
  let h = 0;
  let prefix = -1;
  let b64 = 0;
  const runs: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = original.charCodeAt(i);
    const k = c < 0x80 ? PLAIN_CLASS[c]! : 0;
    if (k === 1 || k === 2) {
      if (runStart < 0) {
        runStart = o;
        latin = digits = leet = 0;
        h = 0x811c9dc5;
        prefix = -1;
      }
      blanks = 0;
      wsAt = -1;
      let j = i;
      let d = c;
      do {
        const l = d | 0x20;
        out[o++] = l;
        h = Math.imul(h ^ l, 0x01000193);
        if (o - runStart === 5) prefix = h;
        if (++j === n) break;
        d = original.charCodeAt(j);
      } while (((d | 0x20) - 0x61) >>> 0 < 26);
      latin += j - i;
      b64 += j - i;
      i = j - 1;
      continue;
    }
    if (k === 3) {
      if (runStart < 0) {
        runStart = o;
        latin = digits = leet = 0;
        h = 0x811c9dc5;
        prefix = -1;
      }
      digits++;
      if (LEET[c] !== 0) leet++;
      b64++;
      blanks = 0;
      wsAt = -1;
      out[o++] = c;
      h = Math.imul(h ^ c, 0x01000193);
      if (o - runStart === 5) prefix = h;
      continue;
    }
    if (c >= 0x80 && c < LATIN_TO) {
      const l = LATIN[c] === 0xff ? latinLetter(c) : LATIN[c]!;
      if (l !== 0) {
        // A Latin letter with a diacritic, folded to a-z: part of the word run, but it ends a
        // base64 run (the blob search reads the original text).
        if (runStart < 0) {
          runStart = o;
          latin = digits = leet = 0;
          h = 0x811c9dc5;
          prefix = -1;
        }
        latin++;
        if (b64 >= 20) runs.push(i - b64);
        b64 = 0;
        blanks = 0;
        wsAt = -1;
        out[o++] = l;
        h = Math.imul(h ^ l, 0x01000193);
        if (o - runStart === 5) prefix = h;
        continue;
      }
    }
    // An HTML entity, or outside printable ASCII and the neutral marks: the general path.
    let neutral = false;
    if (k === 0) {
      if (c === 0x26) {
        if (decodeEntity(original, i) !== undefined) return undefined;
      } else if (c >= NEUTRAL_FROM && c < NEUTRAL_TO && (NEUTRAL[c - NEUTRAL_FROM] === 2 ? neutralMark(c) : NEUTRAL[c - NEUTRAL_FROM]) === 1) neutral = true;
      else return undefined;
    }
    if (c === 0x2b || c === 0x2f || c === 0x2d || c === 0x5f) b64++;
    else {
      if (b64 >= 20) runs.push(i - b64);
      b64 = 0;
    }
    if (runStart >= 0) {
      if (leet > 0 && latin >= 2 && digits === leet && digits <= latin + 1) {
        h = 0x811c9dc5;
        for (let p = runStart; p < o; p++) {
          let d = out[p]!;
          if (d < 0x3a && LEET[d] !== 0) out[p] = d = LEET[d]!;
          h = Math.imul(h ^ d, 0x01000193);
          if (p - runStart === 4) prefix = h;
        }
        leetFound = true;
      }
      // The run is a word token; the character after it is c (k 4) or a blank.
      if (filter === undefined || filter[h & filterMask] !== 0 || c === 0x27 || c === 0x2d) pushSinkToken(runStart, o, h);
      emitToken(h, o - runStart >= 7 ? prefix : -1, true, false, runStart, o);
      runStart = -1;
    }
    if (k >= 5) {
      if (++blanks === 40) padding = true;
      if (wsAt < 0) {
        wsAt = o;
        out[o++] = 0x20;
      }
      if (k === 6) {
        out[wsAt] = 0x0a;
        wBos = true;
      }
      continue;
    }
    blanks = 0;
    wsAt = -1;
    if (neutral) {
      // Kept as it is; no token, but the trigger scanner looks at every non-ASCII character.
      if (neutralCount === neutralAt.length) {
        const b = new Int32Array(neutralAt.length * 2);
        b.set(neutralAt);
        neutralAt = b;
        const d = new Uint16Array(neutralAt.length);
        d.set(neutralChar);
        neutralChar = d;
      }
      neutralAt[neutralCount] = o;
      neutralChar[neutralCount++] = c;
      pushSinkToken(o, -1, 0);
      out[o++] = 0x20;
      continue;
    }
    // Other printable characters: a one-character token, a sentence end, or skipped.
    const t = TOKEN_CLASS[c]!;
    if (t === 2 || t === 3) emitToken(Math.imul(0x811c9dc5 ^ c, 0x01000193), -1, false, t === 3, o, o + 1);
    else if (t === 4) wBos = true;
    out[o++] = c;
  }
  if (runStart >= 0) {
    if (leet > 0 && latin >= 2 && digits === leet && digits <= latin + 1) {
      h = 0x811c9dc5;
      for (let p = runStart; p < o; p++) {
        let d = out[p]!;
        if (d < 0x3a && LEET[d] !== 0) out[p] = d = LEET[d]!;
        h = Math.imul(h ^ d, 0x01000193);
        if (p - runStart === 4) prefix = h;
      }
      leetFound = true;
    }
    if (filter === undefined || filter[h & filterMask] !== 0) pushSinkToken(runStart, o, h);
    emitToken(h, o - runStart >= 7 ? prefix : -1, true, false, runStart, o);
  }
  if (b64 >= 20) runs.push(n - b64);
  const signals = new Set<ObfuscationSignal>();
  if (padding) signals.add("whitespace-padding");
  if (leetFound) signals.add("leet");
  const main = o;
  let text: string;
  if (neutralCount === 0) text = out.toString("latin1", 0, o);
  else {
    // Put the neutral marks back (their bytes were placeholders).
    if (wide.length < o) wide = new Uint16Array(o * 2);
    for (let p = 0; p < o; p++) wide[p] = out[p]!;
    for (let m = 0; m < neutralCount; m++) wide[neutralAt[m]!] = neutralChar[m]!;
    text = decodeUtf16(wide, o);
  }
  text += appendBlobs(original, 0, signals, undefined, runs);
  for (let k = 0; k < sinkCount; k++) {
    const start = sinkTokens[3 * k]!;
    const end = sinkTokens[3 * k + 1]!;
    if (end < 0) sink.scanRange(text, start, start + 1);
    else sink.asciiToken(text, start, end, sinkTokens[3 * k + 2]!);
  }
  const state = { count: wCount, prev: wPrev, bos: wBos };
  const scores: TokenScores = text.length > main ? scoreInt8From(text, main, state, bits, q, levels, sink) : { count: wCount, contrib: wContrib, starts: wStarts, ends: wEnds };
  return { norm: new LazyNormalised(original, 0, text, signals), scores };
}

/** Decoded blobs, normalised, each after a "\n"; pushes their characters when tracking offsets. */
function appendBlobs(original: string, depth: number, signals: Set<ObfuscationSignal>, out: Out | undefined, runs: boolean | readonly number[] = true): string {
  let text = "";
  for (const blob of decodeBlobs(original, runs)) {
    signals.add(blob.kind);
    const inner = normaliseCore(blob.text, depth + 1, false);
    for (const s of inner.signals) signals.add(s);
    if (out) {
      push(out, 0x0a, blob.start, blob.end);
      for (let k = 0; k < inner.text.length; k++) push(out, inner.text.charCodeAt(k), blob.start, blob.end);
    }
    text += "\n" + inner.text;
  }
  return text;
}

/**
 * A normalised text whose offset tables are built on first use: verdicts without a reason (the
 * common case) never pay for them. The tables come from the tracked normaliser, which produces
 * the same text (tested).
 */
class LazyNormalised implements NormalisedText {
  private s: Int32Array | undefined;
  private e: Int32Array | undefined;
  constructor(
    private readonly original: string,
    private readonly depth: number,
    readonly text: string,
    readonly signals: ReadonlySet<ObfuscationSignal>,
  ) {}
  get starts(): Int32Array {
    this.ensure();
    return this.s!;
  }
  get ends(): Int32Array {
    this.ensure();
    return this.e!;
  }
  private ensure(): void {
    if (this.s) return;
    const r = normaliseCore(this.original, this.depth, true);
    this.s = r.starts!;
    this.e = r.ends!;
  }
  toOriginal(start: number, end: number): { start: number; end: number } {
    this.ensure();
    const S = this.s!;
    const E = this.e!;
    const o = S.length;
    if (o === 0) return { start: 0, end: 0 };
    const a = Math.min(Math.max(start, 0), o - 1);
    const b = Math.min(Math.max(end - 1, a), o - 1);
    return { start: S[a]!, end: Math.max(E[b]!, S[a]!) };
  }
}

function normaliseCore(original: string, depth: number, track: boolean): { text: string; signals: Set<ObfuscationSignal>; starts?: Int32Array; ends?: Int32Array } {
  const n = original.length;
  // No closures over these in the hot loop (captured mutable locals are slow in V8).
  const out: Out = { buf: new Uint16Array(n + 32), starts: new Int32Array(track ? n + 32 : 0), ends: new Int32Array(track ? n + 32 : 0), o: 0, track };
  let buf = out.buf;
  let starts = out.starts;
  let ends = out.ends;
  let o = 0;
  const signals = new Set<ObfuscationSignal>();

  let wsRun = 0;
  let flagRun = false;
  let i = 0;
  while (i < n) {
    const c = original.charCodeAt(i);
    // --- ASCII fast path
    if (c < 0x80) {
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c) {
        const nl = c === 0x0a || c === 0x0d;
        if (o > 0 && (buf[o - 1] === 0x20 || buf[o - 1] === 0x0a)) {
          if (nl) buf[o - 1] = 0x0a;
          if (track) ends[o - 1] = i + 1;
          if (++wsRun === 40) signals.add("whitespace-padding");
        } else {
          wsRun = 1;
          out.o = o;
          push(out, nl ? 0x0a : 0x20, i, i + 1);
          ({ buf, starts, ends, o } = out);
        }
        i++;
        continue;
      }
      wsRun = 0;
      if (c === 0x1b) {
        i = skipAnsi(original, i);
        signals.add("ansi");
        continue;
      }
      if (c < 0x20 || c === 0x7f) {
        i++;
        continue;
      }
      if (c === 0x26 /* & */) {
        const ent = decodeEntity(original, i);
        if (ent) {
          signals.add("html-entity");
          const f = ent.cp < 0x80 ? String.fromCharCode(lowerAscii(ent.cp)) : foldChar(ent.cp);
          out.o = o;
          for (let k = 0; k < f.length; k++) push(out, f.charCodeAt(k), i, ent.end);
          ({ buf, starts, ends, o } = out);
          i = ent.end;
          continue;
        }
      }
      // Inline push: the ASCII path never writes past the read position plus earlier expansions,
      // but capacity is still checked once per char (cheap).
      if (o >= buf.length) {
        out.o = o;
        push(out, lowerAscii(c), i, i + 1);
        ({ buf, starts, ends, o } = out);
      } else {
        buf[o] = c >= 0x41 && c <= 0x5a ? c + 32 : c;
        if (track) {
          starts[o] = i;
          ends[o] = i + 1;
        }
        o++;
      }
      i++;
      continue;
    }
    // --- non-ASCII
    let cp = c;
    let len = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = original.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        len = 2;
      }
    }
    if (cp >= 0xe0000 && cp <= 0xe007f) {
      // Unicode tags: invisible; U+E0020..E007E mirror printable ASCII. Emoji flag sequences use
      // them legitimately, but decoding is harmless there and essential for smuggled text.
      // Emoji subdivision flags are U+1F3F4 followed by tags: legitimate, dropped silently.
      if (i >= 2 && (flagRun || original.codePointAt(i - 2) === 0x1f3f4)) flagRun = true;
      else if (cp >= 0xe0020 && cp <= 0xe007e) {
        out.o = o;
        push(out, lowerAscii(cp - 0xe0000), i, i + len);
        ({ buf, starts, ends, o } = out);
        signals.add("tag-chars");
      }
      i += len;
      continue;
    }
    flagRun = false;
    if (isInvisible(cp)) {
      signals.add(cp >= 0x202a && cp <= 0x202e ? "bidi" : cp >= 0x2066 && cp <= 0x2069 ? "bidi" : "zero-width");
      i += len;
      continue;
    }
    if (isUnicodeSpace(cp)) {
      if (o > 0 && (buf[o - 1] === 0x20 || buf[o - 1] === 0x0a)) {
        if (track) ends[o - 1] = i + len;
        if (++wsRun === 40) signals.add("whitespace-padding");
      } else {
        wsRun = 1;
        out.o = o;
        push(out, 0x20, i, i + len);
        ({ buf, starts, ends, o } = out);
      }
      i += len;
      continue;
    }
    wsRun = 0;
    // Fullwidth Latin letters and digits (not CJK punctuation, which is ordinary in CJK text).
    if ((cp >= 0xff10 && cp <= 0xff19) || (cp >= 0xff21 && cp <= 0xff3a) || (cp >= 0xff41 && cp <= 0xff5a)) signals.add("fullwidth");
    let one = cp < 0x10000 ? FOLD1[cp]! : 0xffff;
    if (one === 0) {
      const f = foldChar(cp);
      one = FOLD1[cp] = f.length === 1 && f.charCodeAt(0) !== 0xffff && f.charCodeAt(0) !== 0 ? f.charCodeAt(0) : 0xffff;
    }
    out.o = o;
    if (one !== 0xffff) push(out, one, i, i + len);
    else {
      const f = foldChar(cp);
      for (let k = 0; k < f.length; k++) push(out, f.charCodeAt(k), i, i + len);
    }
    ({ buf, starts, ends, o } = out);
    i += len;
  }

  foldWords(buf, o, signals);

  let text = decodeUtf16(buf, o);
  out.o = o;
  if (depth < MAX_DEPTH) text += appendBlobs(original, depth, signals, track ? out : undefined);
  if (!track) return { text, signals };
  return { text, signals, starts: out.starts.subarray(0, out.o), ends: out.ends.subarray(0, out.o) };
}

// Single-code-unit folds of BMP characters (0: not computed yet, 0xffff: use foldChar's string).
const FOLD1 = new Uint16Array(0x10000);

interface Out {
  buf: Uint16Array;
  starts: Int32Array;
  ends: Int32Array;
  o: number;
  track: boolean;
}

function push(out: Out, c: number, s: number, e: number): void {
  if (out.o >= out.buf.length) {
    const cap = out.buf.length * 2;
    const nb = new Uint16Array(cap);
    nb.set(out.buf);
    out.buf = nb;
    if (out.track) {
      const ns = new Int32Array(cap);
      ns.set(out.starts);
      out.starts = ns;
      const ne = new Int32Array(cap);
      ne.set(out.ends);
      out.ends = ne;
    }
  }
  out.buf[out.o] = c;
  if (out.track) {
    out.starts[out.o] = s;
    out.ends[out.o] = e;
  }
  out.o++;
}

function lowerAscii(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 32 : c;
}

function isInvisible(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0x2066 && cp <= 0x206f) ||
    cp === 0xfeff ||
    cp === 0x00ad ||
    cp === 0x034f ||
    cp === 0x180e ||
    cp === 0x061c ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0xe0100 && cp <= 0xe01ef) ||
    (cp >= 0x80 && cp <= 0x9f)
  );
}

function isUnicodeSpace(cp: number): boolean {
  return cp === 0xa0 || cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000 || cp === 0x85;
}

/** Skips one ANSI escape sequence (CSI, OSC, or a two-byte escape); bounded, never backtracks. */
function skipAnsi(s: string, i: number): number {
  const next = s.charCodeAt(i + 1);
  if (next === 0x5b /* [ */) {
    let j = i + 2;
    while (j < s.length && j < i + 64) {
      const c = s.charCodeAt(j);
      if (c >= 0x40 && c <= 0x7e) return j + 1;
      j++;
    }
    return j;
  }
  if (next === 0x5d /* ] */) {
    let j = i + 2;
    while (j < s.length && j < i + 2048) {
      const c = s.charCodeAt(j);
      if (c === 0x07) return j + 1;
      if (c === 0x1b && s.charCodeAt(j + 1) === 0x5c) return j + 2;
      j++;
    }
    return j;
  }
  return Math.min(i + 2, s.length);
}

const NAMED: Record<string, number> = { lt: 60, gt: 62, amp: 38, quot: 34, apos: 39, nbsp: 32, colon: 58, sol: 47, lpar: 40, rpar: 41, semi: 59, equals: 61, num: 35, period: 46, comma: 44 };

function decodeEntity(s: string, i: number): { cp: number; end: number } | undefined {
  // The first ";" within 10 characters (a bounded look: an unbounded indexOf per "&" made a text
  // of many "&" and no ";" quadratic).
  let semi = -1;
  for (let k = i + 2, end = Math.min(s.length, i + 11); k < end; k++) {
    if (s.charCodeAt(k) === 0x3b) {
      semi = k;
      break;
    }
  }
  if (semi < 0) return undefined;
  const body = s.slice(i + 1, semi);
  let cp: number | undefined;
  if (body.charCodeAt(0) === 0x23) {
    const hex = body[1] === "x" || body[1] === "X";
    const digits = body.slice(hex ? 2 : 1);
    if (digits.length === 0 || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) return undefined;
    cp = parseInt(digits, hex ? 16 : 10);
    if (!(cp > 0 && cp <= 0x10ffff)) return undefined;
  } else {
    cp = NAMED[body.toLowerCase()];
  }
  return cp === undefined ? undefined : { cp, end: semi + 1 };
}

// Mixed-script words ("іgnоre" with Cyrillic і/о) are folded to Latin; pure Cyrillic or Greek
// words stay, so Russian text is still Russian to the rules.
const CONFUSABLE = new Uint16Array(0x800);
for (const [from, to] of [
  ["а", "a"], ["в", "b"], ["с", "c"], ["е", "e"], ["һ", "h"], ["і", "i"], ["ј", "j"], ["к", "k"], ["м", "m"], ["н", "h"], ["о", "o"], ["р", "p"], ["ѕ", "s"], ["т", "t"], ["у", "y"], ["х", "x"], ["ԁ", "d"], ["ԛ", "q"], ["ԝ", "w"], ["ɡ", "g"], ["ɑ", "a"], ["ο", "o"], ["α", "a"], ["ε", "e"], ["ι", "i"], ["κ", "k"], ["ν", "v"], ["ρ", "p"], ["τ", "t"], ["υ", "u"], ["χ", "x"], ["β", "b"], ["γ", "y"], ["η", "n"], ["ω", "w"],
] as const) CONFUSABLE[from.charCodeAt(0)] = to.charCodeAt(0);
const LEET = new Uint16Array(0x3a);
for (const [d, l] of [[48, 111], [49, 105], [51, 101], [52, 97], [53, 115], [55, 116]] as const) LEET[d] = l;

function isWordUnit(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && c < 0x2000);
}

/** Per word: homoglyph folding when Latin and look-alikes mix; leet when letters and digits mix. */
function foldWords(buf: Uint16Array, len: number, signals: Set<ObfuscationSignal>): void {
  let i = 0;
  while (i < len) {
    if (!isWordUnit(buf[i]!)) {
      i++;
      continue;
    }
    let j = i;
    let latin = 0;
    let conf = 0;
    let other = 0;
    let leet = 0;
    let digits = 0;
    while (j < len && isWordUnit(buf[j]!)) {
      const c = buf[j]!;
      if (c >= 0x61 && c <= 0x7a) latin++;
      else if (c >= 0x30 && c <= 0x39) {
        digits++;
        if (LEET[c] !== 0) leet++;
      } else if (c < 0x800 && CONFUSABLE[c] !== 0) conf++;
      else other++;
      j++;
    }
    if (conf > 0 && latin > 0 && other === 0) {
      for (let k = i; k < j; k++) {
        const c = buf[k]!;
        if (c < 0x800 && CONFUSABLE[c] !== 0) buf[k] = CONFUSABLE[c]!;
      }
      signals.add("homoglyph");
      latin += conf;
    }
    // "1gn0r3": at least three letters and some leet digits; plain numbers and "v2" stay.
    if (leet > 0 && latin >= 2 && digits === leet && digits <= latin + 1) {
      for (let k = i; k < j; k++) {
        const c = buf[k]!;
        if (c < 0x3a && LEET[c] !== 0) buf[k] = LEET[c]!;
      }
      signals.add("leet");
    }
    i = j;
  }
}

const utf16 = new TextDecoder("utf-16le");

function decodeUtf16(buf: Uint16Array, len: number): string {
  if (len < 64) return String.fromCharCode(...buf.subarray(0, len));
  return utf16.decode(buf.subarray(0, len));
}
