import fs from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../../errors/portcullis-error.js";
import { packBatch, type IdType } from "./onnx-batch.js";
import { id2labelOf } from "./onnx-labels.js";
import { importClassifierDeps, type OrtModule } from "./onnx-optional-deps.js";
import { specialTokensFrom, type SpecialTokens } from "./onnx-windows.js";

type Session = Awaited<ReturnType<OrtModule["InferenceSession"]["create"]>>;
type Tokenizer = InstanceType<Awaited<ReturnType<typeof importClassifierDeps>>["tokenizers"]["Tokenizer"]>;

/** The inputs a sequence classifier may declare; anything else is refused at load. */
const KNOWN_INPUTS = new Set(["input_ids", "attention_mask", "token_type_ids"]);
/** Long texts are tokenised in pieces of about this many characters (cut before whitespace), so a deadline is checked between them. */
const ENCODE_CHUNK = 8192;
const PROBES = ["hello world", "the", "a", "1"];

/** Loads a module by name (`import()`); tests swap it to simulate a missing package. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

/** Thrown when scoring ran past its deadline. */
export class ClassifierTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClassifierTimeoutError";
  }
}

/** Logits of one run: `rows` × `numLabels`, row-major. */
export interface RunOutput {
  logits: ArrayLike<number>;
  rows: number;
}

/**
 * One loaded ONNX sequence classifier and its tokenizer: the expensive part, loaded once per model
 * file and shared by every server and session that uses it. Knows how to turn text into token ids
 * and windows of ids into logits; what the logits mean is the classifier's business.
 */
export class OnnxModel {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: Session,
    private readonly tokenizer: Tokenizer,
    /** Input names the model declares, in its order. */
    readonly inputNames: readonly string[],
    readonly idType: IdType,
    readonly outputName: string,
    readonly special: SpecialTokens,
    readonly padId: number,
    /** From config.json beside the model or the tokenizer, when there is one. */
    readonly id2label: ReadonlyMap<number, string> | undefined,
    readonly modelPath: string,
    /** Set by the warm-up run at load. */
    public numLabels = 0,
  ) {}

  /**
   * Loads `modelPath` with onnxruntime-node (CPU only, nothing downloaded) and `tokenizerPath`
   * (a Hugging Face tokenizer.json; tokenizer_config.json beside it is used when present), then
   * runs one probe text to check the inputs and learn the number of labels. Every failure is a
   * ConfigError naming the file and what to do.
   */
  static async load(modelPath: string, tokenizerPath: string, importer?: ModuleImporter): Promise<OnnxModel> {
    const modelAbs = path.resolve(modelPath);
    const tokAbs = path.resolve(tokenizerPath);
    await mustBeFile(modelAbs, "model");
    await mustBeFile(tokAbs, "tokenizer");
    const { ort, tokenizers } = await importClassifierDeps(importer);

    const tokJson = await readJson(tokAbs, "tokenizer");
    if (!tokJson || typeof tokJson !== "object" || !("model" in tokJson)) throw new ConfigError(`injection.classifier: ${tokAbs} is not a Hugging Face tokenizer.json (no "model" section); export the tokenizer with \`tokenizer.save_pretrained()\` or take tokenizer.json from the model's repository`);
    const tokConfig = (await readOptionalJson(path.join(path.dirname(tokAbs), "tokenizer_config.json"))) ?? {};
    let tokenizer: Tokenizer;
    try {
      tokenizer = new tokenizers.Tokenizer(tokJson, tokConfig as object);
    } catch (e) {
      throw new ConfigError(`injection.classifier: cannot build a tokenizer from ${tokAbs}: ${(e as Error).message}`, { cause: e });
    }
    const modelConfig = (await readOptionalJson(path.join(path.dirname(modelAbs), "config.json"))) ?? (await readOptionalJson(path.join(path.dirname(tokAbs), "config.json")));
    const id2label = id2labelOf(modelConfig);

    let session: Session;
    try {
      session = await ort.InferenceSession.create(modelAbs, { executionProviders: ["cpu"], graphOptimizationLevel: "all", logSeverityLevel: 3 });
    } catch (e) {
      throw new ConfigError(`injection.classifier: cannot load the ONNX model ${modelAbs}: ${firstLine(e)}. Is it an .onnx file (not safetensors, not a Git LFS pointer)?`, { cause: e });
    }
    const fail = (what: string): never => {
      void session.release().catch(() => undefined);
      throw new ConfigError(`injection.classifier: ${modelAbs}: ${what}`);
    };
    const inputNames = [...session.inputNames];
    if (!inputNames.includes("input_ids")) fail(`the model has no input_ids input (inputs: ${inputNames.join(", ")}); a text sequence classifier is expected`);
    const unknown = inputNames.filter((n) => !KNOWN_INPUTS.has(n));
    if (unknown.length > 0) fail(`unsupported model input ${unknown.join(", ")} (supported: input_ids, attention_mask, token_type_ids)`);
    const types = new Set(session.inputMetadata.map((m) => (m.isTensor ? m.type : "not a tensor")));
    const idType = [...types][0];
    if (types.size !== 1 || (idType !== "int64" && idType !== "int32")) fail(`its inputs must all be int64 (or all int32), found ${[...types].join(", ")}`);
    const outputName = session.outputNames.includes("logits") ? "logits" : session.outputNames[0];
    if (outputName === undefined) fail("the model has no outputs");

    const special = findSpecialTokens(tokenizer) ?? fail(`cannot tell which special tokens ${tokAbs} adds (its post-processor changes the text's tokens)`);
    const padId = padIdOf(tokJson, tokenizer);
    const model = new OnnxModel(ort, session, tokenizer, inputNames, idType as IdType, outputName!, special, padId, id2label, modelAbs);
    try {
      const probe = model.encode(PROBES[0]!, Infinity);
      const out = await model.run([[...special.prefix, ...probe, ...special.suffix]]);
      model.numLabels = out.logits.length / out.rows;
    } catch (e) {
      fail(`the probe run failed: ${firstLine(e)}`);
    }
    if (!Number.isInteger(model.numLabels) || model.numLabels < 2) fail(`the output ${outputName} has ${model.numLabels} values per text; a classifier with at least two labels ([batch, labels] logits) is expected`);
    return model;
  }

  /**
   * Token ids of `text` without special tokens. Long texts are encoded in pieces cut before
   * whitespace (the ids match a one-piece encoding for whitespace-splitting tokenizers), with
   * the deadline (a performance.now() value) checked between pieces.
   */
  encode(text: string, deadline: number): number[] {
    if (text.length <= ENCODE_CHUNK) return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    const ids: number[] = [];
    for (let start = 0; start < text.length; ) {
      if (performance.now() > deadline) throw new ClassifierTimeoutError("tokenising");
      let end = Math.min(text.length, start + ENCODE_CHUNK);
      if (end < text.length) {
        // Cut before the last whitespace in the piece, so each piece starts with a space (or at a word).
        const ws = lastWhitespace(text, start + ENCODE_CHUNK / 2, end);
        if (ws > start) end = ws;
      }
      for (const id of this.tokenizer.encode(text.slice(start, end), { add_special_tokens: false }).ids) ids.push(id);
      start = end;
    }
    return ids;
  }

  /** Logits for windows of ids (special tokens included), as one run. Rejects on any runtime error. */
  async run(windows: readonly (readonly number[])[]): Promise<RunOutput> {
    const b = packBatch(windows, this.padId, this.idType);
    const dims = [b.rows, b.cols];
    const feeds: Record<string, InstanceType<OrtModule["Tensor"]>> = {};
    for (const name of this.inputNames) {
      const data = name === "input_ids" ? b.ids : name === "attention_mask" ? b.mask : b.types;
      feeds[name] = new this.ort.Tensor(this.idType, data, dims);
    }
    const result = await this.session.run(feeds);
    const out = result[this.outputName];
    if (!out) throw new Error(`the model returned no ${this.outputName}`);
    if (out.type !== "float32" && out.type !== "float64") throw new Error(`the model's ${this.outputName} is ${out.type}, not float32`);
    if (out.dims.length !== 2 || out.dims[0] !== b.rows) throw new Error(`the model's ${this.outputName} has shape [${out.dims.join(", ")}], expected [${b.rows}, labels]`);
    return { logits: out.data as Float32Array | Float64Array, rows: b.rows };
  }

  /** Frees the native session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

function findSpecialTokens(tokenizer: Tokenizer): SpecialTokens | undefined {
  for (const p of PROBES) {
    const plain = tokenizer.encode(p, { add_special_tokens: false }).ids;
    if (plain.length === 0) continue;
    return specialTokensFrom(tokenizer.encode(p).ids, plain);
  }
  return undefined;
}

function padIdOf(json: object, tokenizer: Tokenizer): number {
  const pad = (json as { padding?: { pad_id?: unknown } | null }).padding?.pad_id;
  if (typeof pad === "number" && Number.isInteger(pad) && pad >= 0) return pad;
  return tokenizer.token_to_id("[PAD]") ?? tokenizer.token_to_id("<pad>") ?? 0;
}

function lastWhitespace(text: string, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 9 || c === 13) return i;
  }
  return -1;
}

async function mustBeFile(abs: string, what: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await fs.stat(abs)).isFile();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(code === "ENOENT" ? `injection.classifier.${what}: file not found: ${abs}` : `injection.classifier.${what}: cannot read ${abs} (${code ?? (e as Error).message})`, { cause: e });
  }
  if (!isFile) throw new ConfigError(`injection.classifier.${what}: ${abs} is not a file`);
}

async function readJson(abs: string, what: string): Promise<unknown> {
  const text = await fs.readFile(abs, "utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`injection.classifier.${what}: ${abs} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

async function readOptionalJson(abs: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(abs, "utf8");
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`injection.classifier: ${abs} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!.trim();
}
