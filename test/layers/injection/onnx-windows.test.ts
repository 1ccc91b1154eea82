import { describe, expect, it } from "vitest";
import { packBatch, planBatches } from "../../../src/layers/injection/onnx-batch.js";
import { id2labelOf, injectionProbability, resolveInjectionLabels } from "../../../src/layers/injection/onnx-labels.js";
import { specialTokensFrom, tokenWindows, windowStride } from "../../../src/layers/injection/onnx-windows.js";

const CLS_SEP = { prefix: [101], suffix: [102] };

describe("classifier windows", () => {
  it("finds the special tokens around a probe's plain ids", () => {
    expect(specialTokensFrom([101, 7, 8, 102], [7, 8])).toEqual(CLS_SEP);
    expect(specialTokensFrom([0, 5, 2], [5])).toEqual({ prefix: [0], suffix: [2] });
    expect(specialTokensFrom([5, 6], [5, 6])).toEqual({ prefix: [], suffix: [] }); // no post-processor
    expect(specialTokensFrom([1, 9, 2], [5])).toBeUndefined();
    expect(specialTokensFrom([1, 2], [])).toBeUndefined();
  });

  it("a text that fits is one window; an empty one none", () => {
    expect(tokenWindows([1, 2, 3], 512, CLS_SEP)).toEqual([[101, 1, 2, 3, 102]]);
    expect(tokenWindows([], 512, CLS_SEP)).toEqual([]);
  });

  it("long texts: windows of max_length, a quarter overlapping, covering every token", () => {
    const ids = Array.from({ length: 2000 }, (_, i) => i + 1000);
    const ws = tokenWindows(ids, 512, CLS_SEP);
    expect(windowStride(510)).toBe(383);
    for (const w of ws) {
      expect(w.length).toBeLessThanOrEqual(512);
      expect(w[0]).toBe(101);
      expect(w.at(-1)).toBe(102);
    }
    const covered = new Set(ws.flatMap((w) => w.slice(1, -1)));
    expect(covered.size).toBe(2000);
    // Any run of 127 tokens (a quarter window) lies whole inside some window.
    for (let start = 0; start + 127 <= ids.length; start += 17) {
      expect(ws.some((w) => w.includes(ids[start]!) && w.includes(ids[start + 126]!))).toBe(true);
    }
    expect(ws.length).toBe(Math.ceil((2000 - 510) / 383) + 1);
  });

  it("refuses a max_length with no room for text", () => {
    expect(() => tokenWindows([1], 2, CLS_SEP)).toThrow(/leaves no room/);
  });
});

describe("classifier batches", () => {
  it("groups longest first within the token budget, one window at least per run", () => {
    expect(planBatches([10, 500, 20, 300], 1000)).toEqual([[1, 3], [2, 0]]); // 2 × 500 fits; 3 × 500 does not
    expect(planBatches([5000], 1000)).toEqual([[0]]);
    expect(planBatches([], 1000)).toEqual([]);
    expect(planBatches([4, 4, 4, 4, 4], 8)).toEqual([[0, 1], [2, 3], [4]]);
  });

  it("packs ids padded on the right with a 0/1 mask, int64 or int32", () => {
    const b = packBatch([[101, 7, 102], [101, 102]], 0, "int64");
    expect([b.rows, b.cols]).toEqual([2, 3]);
    expect([...b.ids]).toEqual([101n, 7n, 102n, 101n, 102n, 0n]);
    expect([...b.mask]).toEqual([1n, 1n, 1n, 1n, 1n, 0n]);
    expect([...b.types]).toEqual([0n, 0n, 0n, 0n, 0n, 0n]);
    const s = packBatch([[5], [6, 7]], 9, "int32");
    expect(s.ids).toBeInstanceOf(Int32Array);
    expect([...s.ids]).toEqual([5, 9, 6, 7]);
    expect([...s.mask]).toEqual([1, 0, 1, 1]);
  });
});

describe("classifier labels", () => {
  it("softmax summed over the injection labels, stable for large logits", () => {
    expect(injectionProbability([0, 0], 0, 2, [1])).toBeCloseTo(0.5);
    expect(injectionProbability([9, 1000, 1000], 1, 2, [1])).toBeCloseTo(0.5);
    expect(injectionProbability([1, 2, 3], 0, 3, [1, 2])).toBeCloseTo((Math.exp(2) + Math.exp(3)) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
    expect(() => injectionProbability([NaN, 0], 0, 2, [1])).toThrow(/not finite/);
  });

  it("Prompt Guard 2's labels: BENIGN=0, MALICIOUS=1", () => {
    const pg2 = id2labelOf({ id2label: { "0": "BENIGN", "1": "MALICIOUS" } });
    expect(resolveInjectionLabels(undefined, 2, pg2, "x")).toEqual([1]);
    expect(resolveInjectionLabels(["MALICIOUS"], 2, pg2, "x")).toEqual([1]);
    expect(resolveInjectionLabels([1], 2, undefined, "x")).toEqual([1]);
    expect(resolveInjectionLabels(undefined, 2, id2labelOf({ id2label: { "0": "LABEL_0", "1": "LABEL_1" } }), "x")).toEqual([1]);
    expect(() => resolveInjectionLabels(["EVIL"], 2, pg2, "x")).toThrow(/no label named "EVIL" in config.json's id2label \(0=BENIGN, 1=MALICIOUS\)/);
    expect(id2labelOf({})).toBeUndefined();
    expect(id2labelOf(null)).toBeUndefined();
  });
});
