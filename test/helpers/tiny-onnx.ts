import fs from "node:fs";
import path from "node:path";

/**
 * A minimal ONNX protobuf writer and a tiny text classifier built with it, so the classifier tests
 * need no downloaded model. Field numbers are those of onnx/onnx.proto (ModelProto, GraphProto,
 * NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto).
 */

// ---- protobuf wire format ----------------------------------------------------------------------

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n)); // negative int64 as two's complement, 10 bytes
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

const key = (field: number, wire: number) => varint((field << 3) | wire);
const vField = (field: number, n: number | bigint) => [...key(field, 0), ...varint(n)];
const bField = (field: number, bytes: Uint8Array | number[]) => [...key(field, 2), ...varint(bytes.length), ...bytes];
const sField = (field: number, s: string) => bField(field, [...Buffer.from(s, "utf8")]);
const f32Field = (field: number, f: number) => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(f);
  return [...key(field, 5), ...b];
};

// ---- ONNX messages -----------------------------------------------------------------------------

export const DType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

export interface Tensor {
  name: string;
  dims: number[];
  type: (typeof DType)[keyof typeof DType];
  values: number[];
}

function tensorProto(t: Tensor): number[] {
  const raw = t.type === DType.FLOAT ? Buffer.from(new Float32Array(t.values).buffer) : t.type === DType.INT64 ? Buffer.from(new BigInt64Array(t.values.map(BigInt)).buffer) : Buffer.from(new Int32Array(t.values).buffer);
  return [...t.dims.flatMap((d) => vField(1, d)), ...vField(2, t.type), ...sField(8, t.name), ...bField(9, [...raw])];
}

export type Attr = { name: string; ints: number[] } | { name: string; i: number } | { name: string; f: number } | { name: string; t: Tensor };

function attributeProto(a: Attr): number[] {
  // AttributeType: FLOAT 1, INT 2, TENSOR 4, INTS 7
  if ("ints" in a) return [...sField(1, a.name), ...a.ints.flatMap((v) => vField(8, v)), ...vField(20, 7)];
  if ("i" in a) return [...sField(1, a.name), ...vField(3, a.i), ...vField(20, 2)];
  if ("f" in a) return [...sField(1, a.name), ...f32Field(2, a.f), ...vField(20, 1)];
  return [...sField(1, a.name), ...bField(5, tensorProto(a.t)), ...vField(20, 4)];
}

export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Attr[];
}

function nodeProto(n: Node, i: number): number[] {
  return [...n.inputs.flatMap((s) => sField(1, s)), ...n.outputs.flatMap((s) => sField(2, s)), ...sField(3, `n${i}_${n.op}`), ...sField(4, n.op), ...(n.attrs ?? []).flatMap((a) => bField(5, attributeProto(a)))];
}

export interface ValueInfo {
  name: string;
  type: (typeof DType)[keyof typeof DType];
  /** A number is a fixed size, a string a symbolic one ("batch"). */
  shape: (number | string)[];
}

function valueInfoProto(v: ValueInfo): number[] {
  const dims = v.shape.flatMap((d) => bField(1, typeof d === "number" ? vField(1, d) : sField(2, d)));
  const tensorType = [...vField(1, v.type), ...bField(2, dims)];
  return [...sField(1, v.name), ...bField(2, bField(1, tensorType))];
}

export interface Graph {
  nodes: Node[];
  initializers: Tensor[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

/** Serialises a ModelProto (IR version 8, default opset 13). */
export function encodeModel(g: Graph, opset = 13): Uint8Array {
  const graph = [
    ...g.nodes.flatMap((n, i) => bField(1, nodeProto(n, i))),
    ...sField(2, "tiny"),
    ...g.initializers.flatMap((t) => bField(5, tensorProto(t))),
    ...g.inputs.flatMap((v) => bField(11, valueInfoProto(v))),
    ...g.outputs.flatMap((v) => bField(12, valueInfoProto(v))),
  ];
  return Uint8Array.from([...vField(1, 8), ...sField(2, "portcullis-test"), ...bField(7, graph), ...bField(8, [...sField(1, ""), ...vField(2, opset)])]);
}

// ---- the tiny classifier -----------------------------------------------------------------------

/** Vocabulary of the test tokenizer; ids are the positions. */
export const VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world", "the", "report", "is", "ready", "please", "read", "ignore", "pwned", "a", "an", "of", "and", "weather", "today", "sunny", ",", "."];
export const TRIGGER = "pwned";
export const HALF_TRIGGER = "ignore";

export interface TinyModelOptions {
  /** Declare (and use) a token_type_ids input, as BERT exports do. */
  tokenTypeIds?: boolean;
  /** Feed int32 ids instead of int64 (some exports do). */
  int32?: boolean;
  /** Add an input-dependent N×N matrix product chain that takes a while at run time. */
  slow?: number;
  /** Name of the output (default "logits"). */
  outputName?: string;
  /** Three labels (BENIGN, INJECTION, JAILBREAK) like Prompt Guard 1; "ignore" drives JAILBREAK. */
  threeLabels?: boolean;
}

/**
 * input_ids [batch, seq] -> Gather(embedding) -> × attention_mask -> ReduceMax over seq -> MatMul ->
 * Add -> logits [batch, 2]. The embedding's MALICIOUS column is 1 for "pwned", 0.5 for "ignore" and
 * 0 for every other token, so: no trigger -> logits (2, -2), p(MALICIOUS) ≈ 0.018; "ignore" ->
 * (2, 2), 0.5; "pwned" -> (2, 6), ≈ 0.982.
 */
export function tinyClassifier(opts: TinyModelOptions = {}): Uint8Array {
  const labels = opts.threeLabels ? 3 : 2;
  const idType = opts.int32 ? DType.INT32 : DType.INT64;
  const emb: number[] = [];
  for (const w of VOCAB) {
    const row = new Array<number>(labels).fill(0);
    if (w === TRIGGER) row[1] = 1;
    if (w === HALF_TRIGGER) row[labels - 1] = opts.threeLabels ? 1 : 0.5;
    emb.push(...row);
  }
  const W = new Array<number>(labels * labels).fill(0);
  for (let i = 1; i < labels; i++) W[i * labels + i] = 8;
  const B = [2, ...new Array<number>(labels - 1).fill(-2)];
  const nodes: Node[] = [
    { op: "Gather", inputs: ["emb", "input_ids"], outputs: ["E0"] },
    { op: "Cast", inputs: ["attention_mask"], outputs: ["M"], attrs: [{ name: "to", i: DType.FLOAT }] },
    { op: "Unsqueeze", inputs: ["M", "axis2"], outputs: ["M3"] },
  ];
  const inputs: ValueInfo[] = [
    { name: "input_ids", type: idType, shape: ["batch", "sequence"] },
    { name: "attention_mask", type: idType, shape: ["batch", "sequence"] },
  ];
  const initializers: Tensor[] = [
    { name: "emb", dims: [VOCAB.length, labels], type: DType.FLOAT, values: emb },
    { name: "W", dims: [labels, labels], type: DType.FLOAT, values: W },
    { name: "B", dims: [labels], type: DType.FLOAT, values: B },
    { name: "axis2", dims: [1], type: DType.INT64, values: [2] },
  ];
  if (opts.tokenTypeIds) {
    inputs.push({ name: "token_type_ids", type: idType, shape: ["batch", "sequence"] });
    initializers.push({ name: "type_emb", dims: [2, labels], type: DType.FLOAT, values: new Array<number>(2 * labels).fill(0) });
    nodes.push({ op: "Gather", inputs: ["type_emb", "token_type_ids"], outputs: ["T"] }, { op: "Add", inputs: ["E0", "T"], outputs: ["E"] });
  } else {
    nodes.push({ op: "Identity", inputs: ["E0"], outputs: ["E"] });
  }
  nodes.push(
    { op: "Mul", inputs: ["E", "M3"], outputs: ["EM"] },
    { op: "ReduceMax", inputs: ["EM"], outputs: ["P"], attrs: [{ name: "axes", ints: [1] }, { name: "keepdims", i: 0 }] },
    { op: "MatMul", inputs: ["P", "W"], outputs: ["Z"] },
  );
  const out = opts.outputName ?? "logits";
  if (opts.slow) {
    // A scalar that depends on the input (so constant folding cannot precompute the products),
    // spread over an N×N matrix, multiplied three times, summed and scaled by zero into the logits.
    const n = opts.slow;
    initializers.push({ name: "nn", dims: [2], type: DType.INT64, values: [n, n] }, { name: "zero", dims: [], type: DType.FLOAT, values: [0] });
    nodes.push(
      { op: "ReduceMean", inputs: ["P"], outputs: ["s"], attrs: [{ name: "keepdims", i: 0 }] },
      { op: "Expand", inputs: ["s", "nn"], outputs: ["A"] },
      { op: "MatMul", inputs: ["A", "A"], outputs: ["A2"] },
      { op: "MatMul", inputs: ["A2", "A"], outputs: ["A3"] },
      { op: "MatMul", inputs: ["A3", "A"], outputs: ["A4"] },
      { op: "ReduceMean", inputs: ["A4"], outputs: ["S"], attrs: [{ name: "keepdims", i: 0 }] },
      { op: "Mul", inputs: ["S", "zero"], outputs: ["S0"] },
      { op: "Add", inputs: ["Z", "B"], outputs: ["Z1"] },
      { op: "Add", inputs: ["Z1", "S0"], outputs: [out] },
    );
  } else {
    nodes.push({ op: "Add", inputs: ["Z", "B"], outputs: [out] });
  }
  return encodeModel({ nodes, initializers, inputs, outputs: [{ name: out, type: DType.FLOAT, shape: ["batch", labels] }] });
}

/** A WordPiece tokenizer.json over VOCAB: lower-cases, splits on whitespace and punctuation, adds [CLS] ... [SEP]. */
export function tinyTokenizerJson(): Record<string, unknown> {
  const special = (id: number) => ({ id, content: VOCAB[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [0, 1, 2, 3].map(special),
    normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
      pair: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }, { Sequence: { id: "B", type_id: 1 } }, { SpecialToken: { id: "[SEP]", type_id: 1 } }],
      special_tokens: { "[CLS]": { id: "[CLS]", ids: [2], tokens: ["[CLS]"] }, "[SEP]": { id: "[SEP]", ids: [3], tokens: ["[SEP]"] } },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab: Object.fromEntries(VOCAB.map((w, i) => [w, i])) },
  };
}

export interface TinyFiles {
  dir: string;
  model: string;
  tokenizer: string;
}

/** Writes model.onnx and tokenizer.json (and config.json with id2label when `labels` is given) into `dir`. */
export function writeTinyClassifier(dir: string, opts: TinyModelOptions & { labels?: string[]; modelName?: string } = {}): TinyFiles {
  fs.mkdirSync(dir, { recursive: true });
  const model = path.join(dir, opts.modelName ?? "model.onnx");
  const tokenizer = path.join(dir, "tokenizer.json");
  fs.writeFileSync(model, tinyClassifier(opts));
  fs.writeFileSync(tokenizer, JSON.stringify(tinyTokenizerJson()));
  if (opts.labels) fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ id2label: Object.fromEntries(opts.labels.map((l, i) => [String(i), l])) }));
  return { dir, model, tokenizer };
}
