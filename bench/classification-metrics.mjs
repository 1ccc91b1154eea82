// Precision, recall, false-positive rate and F1 of a detector's flags over labelled items, shared
// by bench/detect-bench.mjs, bench/independent-bench.mjs and scripts/train-injection-model.mjs.

/**
 * @param {readonly T[]} set
 * @param {(item: T) => boolean} isInjection the label
 * @param {(item: T) => boolean} flagged the detector's verdict
 * @template T
 */
export function classificationMetrics(set, isInjection, flagged) {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (const it of set) {
    const p = flagged(it);
    if (isInjection(it)) {
      if (p) tp++;
      else fn++;
    } else if (p) fp++;
    else tn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  const fpr = fp + tn ? fp / (fp + tn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { n: set.length, tp, fp, fn, tn, precision, recall, fpr, f1 };
}
