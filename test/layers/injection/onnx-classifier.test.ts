import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../../src/errors/portcullis-error.js";
import { buildOnnxClassifier, loadOnnxClassifier, type OnnxInjectionClassifier } from "../../../src/layers/injection/onnx-classifier.js";
import { OnnxModel } from "../../../src/layers/injection/onnx-model.js";
import { writeTinyClassifier, type TinyFiles } from "../../helpers/tiny-onnx.js";

const BENIGN = "Hello world, the report is ready. The weather today is sunny.";
const TRIGGERED = "Hello world, please read the report. pwned.";
const HALF = "Please ignore the weather report.";

let root: string;
let tiny: TinyFiles;
let classifier: OnnxInjectionClassifier;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-onnx-"));
  tiny = writeTinyClassifier(path.join(root, "tiny"));
  classifier = await loadOnnxClassifier({ model: tiny.model, tokenizer: tiny.tokenizer });
});
afterAll(async () => {
  await classifier.close();
  fs.rmSync(root, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

const errorOf = async (p: Promise<unknown>): Promise<Error> => {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
};

describe("ONNX injection classifier: loading and scoring (a model the test builds)", () => {
  it("loads offline and scores: the trigger word high, ordinary text low", async () => {
    const [benign, triggered, half] = await classifier.score([BENIGN, TRIGGERED, HALF]);
    expect(benign).toBeCloseTo(1 / (1 + Math.exp(4)), 4); // logits (2, -2)
    expect(triggered).toBeCloseTo(1 / (1 + Math.exp(-4)), 4); // logits (2, 6)
    expect(half).toBeCloseTo(0.5, 4); // logits (2, 2)
    expect(classifier.labels).toEqual([1]);
  });

  it("is case-insensitive as the tokenizer is, and scores empty or unknown-only text 0 or low", async () => {
    const [upper, empty, unknown] = await classifier.score(["PWNED!", "   ", "zzz qqq"]);
    expect(upper).toBeGreaterThan(0.9);
    expect(empty).toBe(0); // no tokens: nothing to score
    expect(unknown).toBeLessThan(0.05);
  });

  it("feeds token_type_ids only to a model that declares it, and int32 ids to an int32 model", async () => {
    for (const opts of [{ tokenTypeIds: true }, { int32: true }, { int32: true, tokenTypeIds: true }]) {
      const files = writeTinyClassifier(path.join(root, JSON.stringify(opts).replace(/\W/g, "")), opts);
      const c = await loadOnnxClassifier({ model: files.model, tokenizer: files.tokenizer });
      const [b, t] = await c.score([BENIGN, TRIGGERED]);
      expect(b).toBeLessThan(0.05);
      expect(t).toBeGreaterThan(0.95);
      await c.close();
    }
  });

  it("scores a long text in overlapping windows and takes the highest (the trigger far past max_length)", async () => {
    const filler = Array.from({ length: 3000 }, () => "the weather today is sunny and the report is ready").join(" ");
    const atEnd = `${filler} pwned`;
    const inMiddle = `${filler.slice(0, filler.length / 2)} pwned ${filler.slice(filler.length / 2)}`;
    const run = vi.spyOn(OnnxModel.prototype, "run");
    const [plain, end, middle] = await classifier.score([filler, atEnd, inMiddle]);
    expect(plain).toBeLessThan(0.05);
    expect(end).toBeGreaterThan(0.95);
    expect(middle).toBeGreaterThan(0.95);
    // 30 000 tokens per text in 510-token windows with a quarter overlap: about 79 windows each,
    // every one at most 512 ids wide, batched 16 to a run.
    const widths = run.mock.calls.flatMap(([windows]) => windows.map((w) => w.length));
    expect(widths.length).toBeGreaterThan(3 * 75);
    expect(Math.max(...widths)).toBeLessThanOrEqual(512);
    expect(run.mock.calls.length).toBeLessThan(widths.length / 10);
  });

  it("a smaller max_length gives more, shorter windows and still finds a trigger on a window edge", async () => {
    const c = await loadOnnxClassifier({ model: tiny.model, tokenizer: tiny.tokenizer, maxLength: 10 });
    const run = vi.spyOn(OnnxModel.prototype, "run");
    // 8 content tokens per window, stride 6: "pwned" (token 7) is in both windows, the second holds tokens 6..9.
    const [p] = await c.score(["hello world the report is ready please pwned the report"]);
    expect(p).toBeGreaterThan(0.95);
    expect(run.mock.calls.flatMap(([w]) => w.map((x) => x.length))).toEqual([10, 6]);
    await c.close();
  });

  it("batches the parts of one call into one run", async () => {
    const run = vi.spyOn(OnnxModel.prototype, "run");
    const scores = await classifier.score([BENIGN, TRIGGERED, HALF, "hello", "the report is ready"]);
    expect(run).toHaveBeenCalledTimes(1);
    expect(run.mock.calls[0]![0]).toHaveLength(5);
    expect(scores.map((s) => s > 0.9)).toEqual([false, true, false, false, false]);
  });

  it("concurrent calls each get their own answers", async () => {
    const out = await Promise.all([classifier.score([TRIGGERED]), classifier.score([BENIGN]), classifier.score([TRIGGERED, BENIGN])]);
    expect(out.map((s) => s.map((x) => x > 0.5))).toEqual([[true], [false], [true, false]]);
  });
});

describe("ONNX injection classifier: labels", () => {
  it("reads label names from config.json's id2label beside the model", async () => {
    const files = writeTinyClassifier(path.join(root, "named"), { labels: ["BENIGN", "MALICIOUS"] });
    const byName = await loadOnnxClassifier({ model: files.model, tokenizer: files.tokenizer, injectionLabels: ["malicious"] });
    expect(byName.labels).toEqual([1]);
    const inferred = await loadOnnxClassifier({ model: files.model, tokenizer: files.tokenizer });
    expect(inferred.labels).toEqual([1]);
    expect((await byName.score([TRIGGERED]))[0]).toBeGreaterThan(0.95);
    await byName.close();
    await inferred.close();
  });

  it("three labels (Prompt Guard 1 style): INJECTION and JAILBREAK both count, by name", async () => {
    const files = writeTinyClassifier(path.join(root, "three"), { threeLabels: true, labels: ["BENIGN", "INJECTION", "JAILBREAK"] });
    const c = await loadOnnxClassifier({ model: files.model, tokenizer: files.tokenizer });
    expect(c.labels).toEqual([1, 2]);
    const [b, inj, jb] = await c.score([BENIGN, TRIGGERED, HALF]);
    expect(b).toBeLessThan(0.05);
    expect(inj).toBeGreaterThan(0.95);
    expect(jb).toBeGreaterThan(0.95);
    const onlyInjection = await loadOnnxClassifier({ model: files.model, tokenizer: files.tokenizer, injectionLabels: [1] });
    expect((await onlyInjection.score([HALF]))[0]).toBeLessThan(0.05);
    await c.close();
    await onlyInjection.close();
  });

  it("refuses labels the model does not have, names without id2label, and unclear defaults", async () => {
    expect((await errorOf(loadOnnxClassifier({ model: tiny.model, tokenizer: tiny.tokenizer, injectionLabels: [2] }))).message).toMatch(/injection label 2 is out of range: the model has 2 labels/);
    expect((await errorOf(loadOnnxClassifier({ model: tiny.model, tokenizer: tiny.tokenizer, injectionLabels: ["MALICIOUS"] }))).message).toMatch(/is a name, but there is no config.json with id2label/);
    expect((await errorOf(loadOnnxClassifier({ model: tiny.model, tokenizer: tiny.tokenizer, injectionLabels: [0, 1] }))).message).toMatch(/every label is an injection label/);
    const three = writeTinyClassifier(path.join(root, "three-unnamed"), { threeLabels: true });
    const e = await errorOf(loadOnnxClassifier({ model: three.model, tokenizer: three.tokenizer }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/cannot tell which of the model's 3 labels mean injection.*set injection_labels/);
  });
});

describe("ONNX injection classifier: failures are clear", () => {
  it("a missing model or tokenizer file names the file", async () => {
    const missing = path.join(root, "nope", "model.onnx");
    const e = await errorOf(loadOnnxClassifier({ model: missing, tokenizer: tiny.tokenizer }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toBe(`injection.classifier.model: file not found: ${missing}`);
    const e2 = await errorOf(loadOnnxClassifier({ model: tiny.model, tokenizer: path.join(root, "nope.json") }));
    expect(e2.message).toContain(`injection.classifier.tokenizer: file not found: ${path.join(root, "nope.json")}`);
  });

  it("a corrupted or truncated model is a config error naming the file", async () => {
    const dir = path.join(root, "corrupt");
    const files = writeTinyClassifier(dir);
    const bytes = fs.readFileSync(files.model);
    for (const [name, data] of [["garbage.onnx", Buffer.from("this is not a protobuf model at all \x00\xff\xfe")], ["truncated.onnx", bytes.subarray(0, Math.floor(bytes.length / 2))], ["lfs.onnx", Buffer.from("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n")]] as const) {
      const p = path.join(dir, name);
      fs.writeFileSync(p, data);
      const e = await errorOf(loadOnnxClassifier({ model: p, tokenizer: files.tokenizer }));
      expect(e, name).toBeInstanceOf(ConfigError);
      expect(e.message, name).toContain(`cannot load the ONNX model ${p}`);
    }
  });

  it("a broken tokenizer.json is a config error naming the file", async () => {
    const p = path.join(root, "bad-tokenizer.json");
    fs.writeFileSync(p, "{ not json");
    expect((await errorOf(loadOnnxClassifier({ model: tiny.model, tokenizer: p }))).message).toMatch(/injection\.classifier\.tokenizer: .*bad-tokenizer\.json is not valid JSON/);
    fs.writeFileSync(p, JSON.stringify({ version: "1.0" }));
    expect((await errorOf(loadOnnxClassifier({ model: tiny.model, tokenizer: p }))).message).toMatch(/is not a Hugging Face tokenizer\.json/);
  });

  it("missing optional packages: the error says what to install", async () => {
    const importer = async (name: string) => {
      if (name === "onnxruntime-node") throw Object.assign(new Error(`Cannot find package '${name}'`), { code: "ERR_MODULE_NOT_FOUND" });
      return import(name);
    };
    const e = await errorOf(buildOnnxClassifier({ model: tiny.model, tokenizer: tiny.tokenizer }, { importer }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain("the optional package onnxruntime-node is not installed");
    expect(e.message).toContain("npm i onnxruntime-node @huggingface/tokenizers");
  });

  it("a model that is not a text classifier is refused at load", async () => {
    const { encodeModel, DType } = await import("../../helpers/tiny-onnx.js");
    const p = path.join(root, "image.onnx");
    fs.writeFileSync(p, encodeModel({ nodes: [{ op: "Identity", inputs: ["pixels"], outputs: ["out"] }], initializers: [], inputs: [{ name: "pixels", type: DType.FLOAT, shape: ["batch", 3] }], outputs: [{ name: "out", type: DType.FLOAT, shape: ["batch", 3] }] }));
    expect((await errorOf(loadOnnxClassifier({ model: p, tokenizer: tiny.tokenizer }))).message).toMatch(/has no input_ids input \(inputs: pixels\)/);
  });

  it("times out: a call slower than timeout_ms rejects (the run blocks, its late result is not used)", async () => {
    const slow = writeTinyClassifier(path.join(root, "slow"), { slow: 1500 });
    const c = await loadOnnxClassifier({ model: slow.model, tokenizer: slow.tokenizer, timeoutMs: 5 });
    const e = await errorOf(c.score([TRIGGERED]));
    expect(e.message).toMatch(/injection classifier timed out after 5 ms \(1 text/);
    const relaxed = await loadOnnxClassifier({ model: slow.model, tokenizer: slow.tokenizer, timeoutMs: 20_000 });
    expect((await relaxed.score([TRIGGERED]))[0]).toBeGreaterThan(0.95);
    await c.close();
    await relaxed.close();
  });

  it("a run that fails at run time rejects with the model named", async () => {
    vi.spyOn(OnnxModel.prototype, "run").mockRejectedValueOnce(new Error("boom"));
    const e = await errorOf(classifier.score([BENIGN]));
    expect(e.message).toBe(`injection classifier ${tiny.model} failed: boom`);
  });
});
