import path from "node:path";
import { parseArgs } from "node:util";
import { readAll, type Command } from "../cli-io.js";
import { CLASSIFIER_DEFAULTS } from "../../config/builtin-defaults.js";
import { detectInjection, resolveThreshold, type InjectionKind, type InjectionVerdict } from "../../layers/injection/detect-injection.js";
import { loadOnnxClassifier, type OnnxInjectionClassifier } from "../../layers/injection/onnx-classifier.js";

const KINDS = new Set<InjectionKind>(["output", "description", "prompt"]);
const USAGE =
  "usage: portcullis detect [--kind output|description|prompt] [--threshold low|default|high|0..1] [--jsonl] [--fail-on]\n" +
  "                         [--classifier MODEL.onnx --tokenizer tokenizer.json [--classifier-threshold 0..1] [--classifier-labels L,..]\n" +
  "                          [--classifier-max-length N] [--classifier-timeout-ms N]]\n";
/** Texts per classifier call in --jsonl mode: their windows share runs, and each call has its own timeout. */
const CLASSIFIER_CHUNK = 16;

type Verdict = Pick<InjectionVerdict, "verdict" | "score" | "reasons">;

function publicVerdict(v: Verdict): Record<string, unknown> {
  return { verdict: v.verdict, score: v.score, reasons: v.reasons };
}

interface Classifier {
  model: OnnxInjectionClassifier;
  threshold: number;
}

/**
 * The detector's verdicts, with a classifier's second opinion on what it did not flag: a text
 * whose injection probability reaches the classifier threshold is an injection with reason rule
 * "classifier" spanning the text, and the probability as its score (as in the injection layer).
 */
async function withClassifier(texts: readonly string[], verdicts: Verdict[], c: Classifier | undefined): Promise<Verdict[]> {
  if (!c) return verdicts;
  const open = verdicts.map((v, i) => (v.verdict === "injection" || texts[i]!.length === 0 ? -1 : i)).filter((i) => i >= 0);
  for (let k = 0; k < open.length; k += CLASSIFIER_CHUNK) {
    const idx = open.slice(k, k + CLASSIFIER_CHUNK);
    const scores = await c.model.score(idx.map((i) => texts[i]!));
    idx.forEach((i, j) => {
      const p = scores[j]!;
      if (p >= c.threshold) verdicts[i] = { verdict: "injection", score: p, reasons: [{ rule: "classifier", start: 0, end: texts[i]!.length }] };
    });
  }
  return verdicts;
}

function numberOption(v: string | undefined, name: string, check: (n: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !check(n)) throw new RangeError(`--${name} must be ${what}, got "${v}"`);
  return n;
}

/**
 * `portcullis detect`: scores stdin for prompt injection. With --jsonl each line
 * {"id", "text", "kind"?} gives one line {"id", "verdict", "score", "reasons"} in input order;
 * otherwise all of stdin is one text and one JSON object is printed.
 * With --classifier/--tokenizer, an ONNX classifier (e.g. Prompt Guard 2) also scores every text
 * the detector did not flag, as the injection layer does with `injection.classifier`.
 * Exit 0 ok, 1 with --fail-on when anything is an injection, 2 usage error (or the classifier
 * failed to load or to score).
 */
export const detectCommand: Command = async (args, io) => {
  let values: {
    kind?: string; threshold?: string; jsonl?: boolean; "fail-on"?: boolean; help?: boolean;
    classifier?: string; tokenizer?: string; "classifier-threshold"?: string; "classifier-labels"?: string; "classifier-max-length"?: string; "classifier-timeout-ms"?: string;
  };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        kind: { type: "string" }, threshold: { type: "string" }, jsonl: { type: "boolean" }, "fail-on": { type: "boolean" }, help: { type: "boolean", short: "h" },
        classifier: { type: "string" }, tokenizer: { type: "string" }, "classifier-threshold": { type: "string" }, "classifier-labels": { type: "string" },
        "classifier-max-length": { type: "string" }, "classifier-timeout-ms": { type: "string" },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (e) {
    io.stderr.write(`portcullis detect: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const kind = (values.kind ?? "output") as InjectionKind;
  if (!KINDS.has(kind)) {
    io.stderr.write(`portcullis detect: --kind must be output, description or prompt, got "${values.kind}"\n${USAGE}`);
    return 2;
  }
  let threshold: number;
  try {
    const t = values.threshold;
    threshold = resolveThreshold(t === undefined ? undefined : t === "low" || t === "default" || t === "high" ? t : Number(t));
  } catch (e) {
    io.stderr.write(`portcullis detect: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const classifierFlags = ["classifier-threshold", "classifier-labels", "classifier-max-length", "classifier-timeout-ms"] as const;
  if ((values.classifier === undefined) !== (values.tokenizer === undefined) || (values.classifier === undefined && classifierFlags.some((f) => values[f] !== undefined))) {
    io.stderr.write(`portcullis detect: --classifier and --tokenizer go together (and --classifier-* options need them)\n${USAGE}`);
    return 2;
  }
  let classifier: Classifier | undefined;
  if (values.classifier !== undefined && values.tokenizer !== undefined) {
    let opts: { threshold: number; labels?: (number | string)[]; maxLength?: number; timeoutMs?: number };
    try {
      opts = {
        threshold: numberOption(values["classifier-threshold"], "classifier-threshold", (n) => n >= 0 && n <= 1, "a number within 0..1") ?? CLASSIFIER_DEFAULTS.threshold,
        labels: values["classifier-labels"]?.split(",").map((l) => l.trim()).filter(Boolean).map((l) => (/^\d+$/.test(l) ? Number(l) : l)),
        maxLength: numberOption(values["classifier-max-length"], "classifier-max-length", (n) => Number.isInteger(n) && n >= 8, "an integer of at least 8"),
        timeoutMs: numberOption(values["classifier-timeout-ms"], "classifier-timeout-ms", (n) => Number.isInteger(n) && n > 0, "a positive integer"),
      };
    } catch (e) {
      io.stderr.write(`portcullis detect: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    // A ConfigError (missing package or file, broken model) reaches main(), which prints it and exits 2.
    const model = await loadOnnxClassifier({ model: path.resolve(io.cwd, values.classifier), tokenizer: path.resolve(io.cwd, values.tokenizer), injectionLabels: opts.labels, maxLength: opts.maxLength, timeoutMs: opts.timeoutMs });
    classifier = { model, threshold: opts.threshold };
  }
  try {
    return await detectInput(await readAll(io.stdin), kind, threshold, values.jsonl === true, values["fail-on"] === true, classifier, io);
  } catch (e) {
    if (!classifier) throw e;
    // A classifier that fails or runs out of time gives no verdict (the gateway would deny).
    io.stderr.write(`portcullis detect: ${(e as Error).message}\n`);
    return 2;
  } finally {
    await classifier?.model.close();
  }
};

async function detectInput(input: string, kind: InjectionKind, threshold: number, jsonl: boolean, failOn: boolean, classifier: Classifier | undefined, io: Parameters<Command>[1]): Promise<number> {
  let flagged = false;
  if (!jsonl) {
    const [v] = await withClassifier([input], [detectInjection(input, { kind, threshold })], classifier);
    flagged = v!.verdict === "injection";
    io.stdout.write(JSON.stringify(publicVerdict(v!)) + "\n");
    return failOn && flagged ? 1 : 0;
  }
  const lines = input.split("\n");
  const out: string[] = [];
  // With a classifier, lines are scored in chunks (their windows share runs), then printed in order.
  const pending: { id: unknown; text: string; v: Verdict }[] = [];
  const flush = async () => {
    const done = await withClassifier(pending.map((p) => p.text), pending.map((p) => p.v), classifier);
    pending.forEach((p, j) => {
      if (done[j]!.verdict === "injection") flagged = true;
      out.push(JSON.stringify({ id: p.id, ...publicVerdict(done[j]!) }));
    });
    pending.length = 0;
    if (out.length >= 256) io.stdout.write(out.splice(0).join("\n") + "\n");
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    let item: { id?: unknown; text?: unknown; kind?: unknown };
    try {
      item = JSON.parse(line);
    } catch {
      io.stderr.write(`portcullis detect: line ${i + 1} is not valid JSON\n`);
      return 2;
    }
    if (typeof item !== "object" || item === null || typeof item.text !== "string") {
      io.stderr.write(`portcullis detect: line ${i + 1} needs a string "text"\n`);
      return 2;
    }
    const k = item.kind === undefined ? kind : (item.kind as InjectionKind);
    if (!KINDS.has(k)) {
      io.stderr.write(`portcullis detect: line ${i + 1}: "kind" must be output, description or prompt\n`);
      return 2;
    }
    pending.push({ id: item.id ?? null, text: item.text, v: detectInjection(item.text, { kind: k, threshold }) });
    if (pending.length >= CLASSIFIER_CHUNK) await flush();
  }
  await flush();
  if (out.length) io.stdout.write(out.join("\n") + "\n");
  return failOn && flagged ? 1 : 0;
}
