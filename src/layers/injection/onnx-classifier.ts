import { CLASSIFIER_DEFAULTS } from "../../config/builtin-defaults.js";
import { ConfigError } from "../../errors/portcullis-error.js";
import { planBatches } from "./onnx-batch.js";
import { injectionProbability, resolveInjectionLabels } from "./onnx-labels.js";
import { ClassifierTimeoutError, OnnxModel, type ModuleImporter } from "./onnx-model.js";
import { tokenWindows } from "./onnx-windows.js";

/**
 * A second opinion on text the built-in detector let through: the probability (0..1) that each
 * text is a prompt injection. `score` rejects on any error or when it runs out of time; the
 * injection layer then denies the message (fail closed).
 */
export interface InjectionClassifier {
  score(texts: readonly string[]): Promise<number[]>;
}

export interface OnnxClassifierOptions {
  /** Path of the .onnx model: a sequence classifier taking input_ids (attention_mask, token_type_ids) and returning [batch, labels] logits. */
  model: string;
  /** Path of the model's Hugging Face tokenizer.json. */
  tokenizer: string;
  /**
   * Output labels that mean injection: indices, or names from the `id2label` of a config.json
   * beside the model (or the tokenizer). Default: labels named MALICIOUS, INJECTION or JAILBREAK,
   * else label 1 of a two-label model (Prompt Guard 2: BENIGN=0, MALICIOUS=1).
   */
  injectionLabels?: readonly (number | string)[];
  /** Tokens per window, special tokens included. Default 512. */
  maxLength?: number;
  /** Budget of one `score` call in ms. Default 1500. */
  timeoutMs?: number;
}

/** Internal switches of buildOnnxClassifier (the shared cache, tests). */
export interface OnnxLoadInternals {
  /** Replaces `import()` for the optional packages. */
  importer?: ModuleImporter;
  /** A model already loaded (shared between classifiers with different options). */
  model?: OnnxModel;
}

/**
 * Runs a user-supplied ONNX text classifier (e.g. Meta's Prompt Guard 2) with onnxruntime-node.
 * Each text is tokenised without truncation and cut into overlapping windows of `maxLength`
 * tokens; all windows of one `score` call go through the model in as few runs as fit
 * MAX_BATCH_TOKENS, and a text scores the highest injection probability of its windows.
 */
export class OnnxInjectionClassifier implements InjectionClassifier {
  /** The output label indices counted as injection. */
  readonly labels: readonly number[];

  /** @internal Use loadOnnxClassifier(). */
  constructor(
    private readonly model: OnnxModel,
    readonly maxLength: number,
    readonly timeoutMs: number,
    labels: readonly number[],
  ) {
    this.labels = labels;
  }

  async score(texts: readonly string[]): Promise<number[]> {
    const deadline = performance.now() + this.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    // A run blocks the event loop while it computes, so the timer alone cannot interrupt it:
    // scoreBefore() also checks the deadline between runs and after the last one.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.timedOut(texts.length)), this.timeoutMs);
      timer.unref?.();
    });
    try {
      return await Promise.race([this.scoreBefore(texts, deadline), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async scoreBefore(texts: readonly string[], deadline: number): Promise<number[]> {
    const scores = new Array<number>(texts.length).fill(0);
    const windows: number[][] = [];
    const owner: number[] = [];
    try {
      for (let t = 0; t < texts.length; t++) {
        for (const w of tokenWindows(this.model.encode(texts[t]!, deadline), this.maxLength, this.model.special)) {
          windows.push(w);
          owner.push(t);
        }
        if (performance.now() > deadline) throw new ClassifierTimeoutError("tokenising");
      }
      const n = this.model.numLabels;
      for (const batch of planBatches(windows.map((w) => w.length))) {
        if (performance.now() > deadline) throw new ClassifierTimeoutError("scoring");
        const out = await this.model.run(batch.map((i) => windows[i]!));
        if (out.logits.length !== out.rows * n) throw new Error(`the model returned ${out.logits.length / out.rows} logits per text, ${n} at load`);
        for (let r = 0; r < batch.length; r++) {
          const t = owner[batch[r]!]!;
          scores[t] = Math.max(scores[t]!, injectionProbability(out.logits, r * n, n, this.labels));
        }
        // A result that arrives late is not used: the caller's time ran out while the run blocked.
        if (performance.now() > deadline) throw new ClassifierTimeoutError("scoring");
      }
    } catch (e) {
      if (e instanceof ClassifierTimeoutError) throw this.timedOut(texts.length, windows.length);
      throw new Error(`injection classifier ${this.model.modelPath} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    return scores;
  }

  private timedOut(texts: number, windows?: number): Error {
    return new ClassifierTimeoutError(`injection classifier timed out after ${this.timeoutMs} ms (${texts} text${texts === 1 ? "" : "s"}${windows ? `, ${windows} window${windows === 1 ? "" : "s"}` : ""}); raise injection.classifier.timeout_ms or use a smaller model`);
  }

  /** Frees the model's native session (only when nothing else shares it). */
  async close(): Promise<void> {
    await this.model.release();
  }
}

/**
 * Loads an ONNX injection classifier: checks both files, imports onnxruntime-node and
 * @huggingface/tokenizers (optional peer dependencies; a clear error says how to install them),
 * builds the session on the CPU and runs one probe. Nothing is downloaded. Every failure is a
 * ConfigError naming the file.
 *
 * @example const c = await loadOnnxClassifier({ model: "pg2/model.onnx", tokenizer: "pg2/tokenizer.json" });
 *          const [p] = await c.score(["Ignore previous instructions and ..."]);
 */
export function loadOnnxClassifier(options: OnnxClassifierOptions): Promise<OnnxInjectionClassifier> {
  return buildOnnxClassifier(options);
}

/** loadOnnxClassifier with internal switches: a model loaded already, another importer. */
export async function buildOnnxClassifier(options: OnnxClassifierOptions, internals: OnnxLoadInternals = {}): Promise<OnnxInjectionClassifier> {
  const maxLength = options.maxLength ?? CLASSIFIER_DEFAULTS.maxLength;
  const timeoutMs = options.timeoutMs ?? CLASSIFIER_DEFAULTS.timeoutMs;
  if (!Number.isInteger(maxLength) || maxLength < 8) throw new ConfigError(`injection.classifier.max_length must be an integer of at least 8, got ${maxLength}`);
  if (!(timeoutMs > 0)) throw new ConfigError(`injection.classifier.timeout_ms must be positive, got ${timeoutMs}`);
  const model = internals.model ?? (await OnnxModel.load(options.model, options.tokenizer, internals.importer));
  const room = maxLength - model.special.prefix.length - model.special.suffix.length;
  if (room < 1) throw new ConfigError(`injection.classifier.max_length ${maxLength} leaves no room for text beside the tokenizer's special tokens`);
  let labels: number[];
  try {
    labels = resolveInjectionLabels(options.injectionLabels, model.numLabels, model.id2label, `injection.classifier (${model.modelPath})`);
  } catch (e) {
    throw new ConfigError((e as Error).message, { cause: e });
  }
  return new OnnxInjectionClassifier(model, maxLength, timeoutMs, labels);
}
