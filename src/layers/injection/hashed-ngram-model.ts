import { FEATURES_PER_TOKEN, scoreTokens, type TokenScores, type TokenSink } from "./ngram-features.js";
import { MODEL_DATA } from "./model-weights.js";

/** The serialised model as `scripts/train-injection-model.mjs` writes it into model-weights.ts. */
export interface EncodedModel {
  version: number;
  bits: number;
  window: number;
  stride: number;
  bias: number;
  scale: number;
  /** base64 of an Int8Array of 2^bits weights; weight = int8 * scale. */
  weights: string;
}

export interface NgramModel {
  readonly bits: number;
  readonly window: number;
  readonly stride: number;
  readonly bias: number;
  readonly weights: Float32Array;
}

export interface ModelScore {
  /** Logit of the most suspicious window. */
  logit: number;
  /** Normalised-text span of that window. */
  start: number;
  end: number;
}

let cached: NgramModel | undefined;

/** The committed model (decoded once; no file or network access: the weights are a TS module). */
export function defaultModel(): NgramModel {
  cached ??= decodeModel(MODEL_DATA);
  return cached;
}

export function decodeModel(m: EncodedModel): NgramModel {
  const bytes = Buffer.from(m.weights, "base64");
  const size = 1 << m.bits;
  if (bytes.length !== size) throw new Error(`injection model: expected ${size} weights, got ${bytes.length}`);
  const q = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const weights = new Float32Array(size);
  for (let i = 0; i < size; i++) weights[i] = q[i]! * m.scale;
  const model = { bits: m.bits, window: m.window, stride: m.stride, bias: m.bias, weights };
  // The scorer reads the int8 weights (256 KB, stays in cache) through a 256-entry table of the
  // very same float32 values, so sums are bit-identical to reading `weights`.
  const levels = new Float64Array(256);
  for (let v = -128; v < 128; v++) levels[v & 0xff] = Math.fround(v * m.scale);
  quantised.set(model, { q: new Uint8Array(q.buffer, q.byteOffset, q.length), levels });
  return model;
}

/** int8 form of models built by `decodeModel` (hand-made models are scored from `weights`). */
const quantised = new WeakMap<NgramModel, { q: Uint8Array; levels: Float64Array }>();

/**
 * Linear model over hashed n-grams, applied to sliding windows of tokens: an injection is a few
 * sentences inside a long benign document, so the document's score is its worst window's score
 * (the model was trained the same way, multiple-instance style). Linear in the text length.
 */
export function scoreWithModel(text: string, model: NgramModel): ModelScore {
  const qm = quantised.get(model);
  const f = qm !== undefined && qm.q.length === model.weights.length ? scoreTokens(text, model.bits, qm.q, qm.levels) : scoreTokens(text, model.bits, model.weights);
  return windowScore(f, model);
}

/**
 * `scoreWithModel` whose tokeniser also feeds `sink` (the rule-trigger scan), or undefined for
 * models without int8 weights (the caller then scans separately).
 */
export function scoreWithModelAndSink(text: string, model: NgramModel, sink: TokenSink): ModelScore | undefined {
  const qm = quantised.get(model);
  if (qm === undefined || qm.q.length !== model.weights.length) return undefined;
  return windowScore(scoreTokens(text, model.bits, qm.q, qm.levels, sink), model);
}

/** The int8 weights of a model built by `decodeModel` (codes and their values), or undefined. */
export function quantisedWeights(model: NgramModel): { q: Uint8Array; levels: Float64Array } | undefined {
  const qm = quantised.get(model);
  return qm !== undefined && qm.q.length === model.weights.length ? qm : undefined;
}

/** The worst window of a token walk (`scoreTokens` or the fused normaliser's). */
export function windowScore(f: TokenScores, model: NgramModel): ModelScore {
  const best = bestWindow(f.contrib, f.count, model.window, model.stride);
  return {
    logit: model.bias + best.sum,
    start: f.count === 0 ? 0 : f.starts[best.from]!,
    end: f.count === 0 ? 0 : f.ends[Math.max(best.from, best.to - 1)]!,
  };
}

let contribScratch = new Float64Array(256);
let prefixScratch = new Float64Array(256);

export function tokenContributions(ids: Int32Array, count: number, w: Float32Array): Float64Array {
  if (contribScratch.length < count) contribScratch = new Float64Array(count * 2);
  const c = contribScratch;
  for (let t = 0; t < count; t++) {
    let s = 0;
    for (let k = 0; k < FEATURES_PER_TOKEN; k++) {
      const id = ids[t * FEATURES_PER_TOKEN + k]!;
      if (id >= 0) s += w[id]!;
    }
    c[t] = s;
  }
  return c;
}

/** Windows [k*stride, k*stride+window), the last one flush with the end. */
export function bestWindow(contrib: Float64Array, count: number, window: number, stride: number): { from: number; to: number; sum: number } {
  if (count <= window) {
    let s = 0;
    for (let t = 0; t < count; t++) s += contrib[t]!;
    return { from: 0, to: count, sum: s };
  }
  if (prefixScratch.length < count + 1) prefixScratch = new Float64Array(count * 2 + 2);
  const prefix = prefixScratch;
  prefix[0] = 0;
  for (let t = 0; t < count; t++) prefix[t + 1] = prefix[t]! + contrib[t]!;
  let best = { from: 0, to: window, sum: -Infinity };
  for (let from = 0; ; from += stride) {
    const f = Math.min(from, count - window);
    const sum = prefix[f + window]! - prefix[f]!;
    if (sum > best.sum) best = { from: f, to: f + window, sum };
    if (f + window >= count) break;
  }
  return best;
}
