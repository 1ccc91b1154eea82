/** Integer tensor types a classifier's id inputs may declare. */
export type IdType = "int64" | "int32";

/** Several windows as one [rows, cols] input: ids padded on the right, a mask of 1s and 0s, type ids of 0. */
export interface PackedBatch {
  rows: number;
  cols: number;
  ids: BigInt64Array | Int32Array;
  mask: BigInt64Array | Int32Array;
  types: BigInt64Array | Int32Array;
}

/** Most ids in one run: bounds a run's memory and time, so the deadline is checked often enough. */
export const MAX_BATCH_TOKENS = 8192;

/**
 * Groups windows into runs: longest first (so each run pads to a similar length) and at most
 * `maxTokens` padded ids per run, one window at least. Returns window indices per run.
 */
export function planBatches(lengths: readonly number[], maxTokens = MAX_BATCH_TOKENS): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const batches: number[][] = [];
  let cur: number[] = [];
  let cols = 0;
  for (const i of order) {
    if (cur.length === 0) cols = lengths[i]!;
    else if ((cur.length + 1) * cols > maxTokens) {
      batches.push(cur);
      cur = [];
      cols = lengths[i]!;
    }
    cur.push(i);
  }
  if (cur.length > 0) batches.push(cur);
  return batches;
}

/** Packs windows into flat row-major arrays of the given integer type. */
export function packBatch(windows: readonly (readonly number[])[], padId: number, type: IdType): PackedBatch {
  const rows = windows.length;
  let cols = 0;
  for (const w of windows) cols = Math.max(cols, w.length);
  const n = rows * cols;
  const wide = type === "int64";
  const ids = wide ? new BigInt64Array(n) : new Int32Array(n);
  const mask = wide ? new BigInt64Array(n) : new Int32Array(n);
  const types = wide ? new BigInt64Array(n) : new Int32Array(n);
  for (let r = 0; r < rows; r++) {
    const w = windows[r]!;
    for (let c = 0; c < cols; c++) {
      const real = c < w.length;
      const id = real ? w[c]! : padId;
      if (wide) {
        (ids as BigInt64Array)[r * cols + c] = BigInt(id);
        (mask as BigInt64Array)[r * cols + c] = real ? 1n : 0n;
      } else {
        (ids as Int32Array)[r * cols + c] = id;
        (mask as Int32Array)[r * cols + c] = real ? 1 : 0;
      }
    }
  }
  return { rows, cols, ids, mask, types };
}
