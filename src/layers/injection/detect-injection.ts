import { defaultModel, quantisedWeights, scoreWithModel, scoreWithModelAndSink, windowScore, type ModelScore, type NgramModel } from "./hashed-ngram-model.js";
import { findRuleHits, hitsFromTriggers, triggerScanner, type RuleFamily, type RuleHit } from "./injection-rules.js";
import { isMention, quotedSpan } from "./mention-context.js";
import { COMBINER } from "./model-weights.js";
import { normaliseAndScore, normaliseGeneral, normaliseText, type NormalisedText, type ObfuscationSignal } from "./normalise-text.js";

/** What the text is: a tool's output, a tool's description, or a prompt (user or server supplied). */
export type InjectionKind = "output" | "description" | "prompt";
export type ThresholdName = "low" | "default" | "high";

/**
 * Named thresholds on the calibrated score. "low" is the sensitive setting (more alarms), "high"
 * the permissive one. The score is a logistic calibration on the dev data, so 0.5 means "as likely
 * injected as not" for text like that data.
 */
export const THRESHOLDS: Readonly<Record<ThresholdName, number>> = Object.freeze({ low: 0.3, default: 0.5, high: 0.8 });

export function resolveThreshold(t: ThresholdName | number | undefined): number {
  if (t === undefined) return THRESHOLDS.default;
  if (typeof t === "number") {
    if (!(t >= 0 && t <= 1)) throw new RangeError(`injection threshold must be within 0..1, got ${t}`);
    return t;
  }
  const v = THRESHOLDS[t];
  if (v === undefined) throw new RangeError(`unknown injection threshold "${String(t)}" (low, default, high or a number)`);
  return v;
}

export interface InjectionReason {
  /** Rule id ("override-previous", ...), "model" for the statistical model, or "obfuscation:<signal>". */
  rule: string;
  /** Span in the original text (UTF-16 offsets, end exclusive). */
  start: number;
  end: number;
}

export interface InjectionVerdict {
  verdict: "injection" | "benign";
  /** Calibrated probability-like score 0..1. */
  score: number;
  threshold: number;
  reasons: InjectionReason[];
  /** Disguises the normaliser removed (zero-width, base64, ...). */
  signals: ObfuscationSignal[];
}

/** Combination parameters; the training script fits them (see model-weights.ts). */
export interface Combiner {
  ruleScale: number;
  modelScale: number;
  bias: Record<InjectionKind, number>;
}

export interface DetectOptions {
  kind?: InjectionKind;
  threshold?: ThresholdName | number;
  /** Alternative model / combiner (training and tests). */
  model?: NgramModel;
  combiner?: Combiner;
}

/** The raw evidence before calibration; the training script fits the combiner on these. */
export interface Evidence {
  norm: NormalisedText;
  hits: RuleHit[];
  /** Hits that are not mentions (quoted or introduced as an example). */
  issued: number;
  /** Distinct rules among the issued hits. */
  issuedRules: number;
  /** Hits that are mentions (quoted, reported): the text talks about attacks. */
  mentions: number;
  /** Weight of the strongest issued hit (0 when none). */
  strongestIssued: number;
  ruleLogit: number;
  modelLogit: number;
  modelStart: number;
  modelEnd: number;
}

// Instruction-like weight of each disguise on its own; they mostly matter combined with a rule hit.
const SIGNAL_WEIGHT: Partial<Record<ObfuscationSignal, number>> = {
  "tag-chars": 2.5, homoglyph: 1.5, bidi: 1, "zero-width": 0.5, leet: 0.5, base64: 0.5, hex: 0.5, binary: 1, "url-encoded": 0.3, "whitespace-padding": 0.5, ansi: 0.3, fullwidth: 0.5,
};

const STRONG_RULE = 2;
const MAX_SCORE = 1 - 1e-9;
const LONE_WEAK_DISCOUNT = 0.25;

// A rule hit that is talked about (quoted, "attacks such as ...") rather than issued counts this
// much: security articles quote attack phrases all the time, and the quote itself is no instruction.
const MENTION_FACTOR = 0.05;

// Legitimate in tool descriptions ("use the search_docs tool to ...", "always respond with JSON").
const DESCRIPTION_DAMPING: Partial<Record<string, number>> = { "tool-call-directive": 0.3, "address-say-respond": 0.3, "address-tell-user": 0.3, "tool-shadowing": 0.6, "role-injection-tag": 0.8 };
// Normal in a user's own prompt ("answer in English", "rewrite your answer as a list"); in data
// they are a task hijack.
const PROMPT_DAMPING: Partial<Record<string, number>> = { "address-answer-language": 0.2, "address-output-transform": 0.5, "address-act-as-tool": 0.2 };

/** Internal switches of `gatherEvidence` (tests compare the fast paths with the plain ones). */
export interface EvidenceOptions {
  /** false: normalise, then walk the tokens (no fused ASCII normaliser and scorer). */
  fusedNormaliser?: boolean;
}

export function gatherEvidence(text: string, kind: InjectionKind = "output", model: NgramModel = defaultModel(), options: EvidenceOptions = {}): Evidence {
  // One walk over the text scores the model and finds the rule triggers (int8 models; others
  // scan twice); for printable ASCII that walk is the normaliser's own pass. The model's score is
  // redone below only when a quoted attack phrase was blanked.
  const scanner = triggerScanner();
  scanner.reset();
  const qm = quantisedWeights(model);
  const tryFused = qm !== undefined && options.fusedNormaliser !== false;
  const both = tryFused ? normaliseAndScore(text, model.bits, qm.q, qm.levels, scanner) : undefined;
  const norm = both !== undefined ? both.norm : tryFused ? normaliseGeneral(text) : normaliseText(text);
  const fused = both !== undefined ? windowScore(both.scores, model) : scoreWithModelAndSink(norm.text, model, scanner);
  const hits = fused === undefined ? findRuleHits(norm.text) : hitsFromTriggers(norm.text, scanner);
  const family = new Map<RuleFamily, { max: number; n: number; ids: Set<string> }>();
  let modelText = norm.text;
  let blanked = false;
  let issued = 0;
  let strongestIssued = 0;
  const issuedRules = new Set<string>();
  for (const h of hits) {
    const mention = isMention(norm.text, h.start, h.end);
    // A quoted attack phrase is evidence of neither kind: blank it, and the rest of its quotation,
    // for the model too.
    if (mention) {
      const q = quotedSpan(norm.text, h.start, h.end);
      modelText = modelText.slice(0, q.start) + " ".repeat(q.end - q.start) + modelText.slice(q.end);
      blanked = true;
    }
    let w = h.rule.weight * (mention ? MENTION_FACTOR : 1);
    if (kind === "description") w *= DESCRIPTION_DAMPING[h.rule.id] ?? 1;
    else if (kind === "prompt") w *= PROMPT_DAMPING[h.rule.id] ?? 1;
    if (!mention) {
      issued++;
      issuedRules.add(h.rule.id);
      strongestIssued = Math.max(strongestIssued, w);
    }
    // Other rules of the family add a little (several distinct instructions); mentions and the same
    // rule again (a log full of "[SYSTEM]" tags) do not.
    const f = family.get(h.rule.family);
    if (f) {
      f.max = Math.max(f.max, w);
      if (!mention && !f.ids.has(h.rule.id)) f.n++;
      f.ids.add(h.rule.id);
    } else family.set(h.rule.family, { max: w, n: 1, ids: new Set([h.rule.id]) });
  }
  let ruleLogit = 0;
  for (const f of family.values()) ruleLogit += f.max + Math.min(0.75, 0.25 * (f.n - 1));
  // One weak rule and nothing else is a hint, not evidence: ordinary text ("IMPORTANT: never ...",
  // an installer's `curl | sh`, a "[SYSTEM]" log tag) trips one weak rule far more often than two.
  if (issuedRules.size === 1 && strongestIssued < STRONG_RULE) ruleLogit -= LONE_WEAK_DISCOUNT * strongestIssued;
  let disguise = 0;
  let telling = false;
  for (const s of norm.signals) {
    disguise += SIGNAL_WEIGHT[s] ?? 0;
    // Leetspeak-like runs are common in code and version strings: no tell on their own.
    if (s !== "leet") telling = true;
  }
  // Disguise around an instruction is the tell; disguise alone (emoji flags, base64 data) is weak.
  ruleLogit += issued > 0 ? Math.min(disguise, 2) + (telling ? 1 : 0) : Math.min(disguise, 2.5) * 0.5;
  const m: ModelScore = fused !== undefined && !blanked ? fused : scoreWithModel(modelText, model);
  return { norm, hits, issued, issuedRules: issuedRules.size, mentions: hits.length - issued, strongestIssued, ruleLogit, modelLogit: m.logit, modelStart: m.start, modelEnd: m.end };
}

export function combine(ruleLogit: number, modelLogit: number, kind: InjectionKind, c: Combiner = COMBINER): number {
  const z = c.ruleScale * ruleLogit + c.modelScale * modelLogit + c.bias[kind];
  // Kept below 1 so that a threshold of 1 means "never" even when the evidence is overwhelming.
  return Math.min(1 / (1 + Math.exp(-z)), MAX_SCORE);
}

/**
 * Minimum score for an output verdict resting on the model alone (no issued rule hit): the `high`
 * threshold. Held out by generator, the model alone flags about 1 in 5 ordinary non-English notices
 * at 0.5 (the dev data's non-English text is nearly all injections); at 0.8 about 1 in 300, for
 * about 3 points of output recall (docs/injection.md).
 */
export const MODEL_ONLY_OUTPUT_BAR = 0.8;

/**
 * The same for prompts (prompts/get results, sampling requests, `detect --kind prompt`): lower,
 * since the model carries most of the evidence on jailbreak prompts, which rarely use the rules'
 * phrasing; see docs/injection.md for the trade.
 */
export const MODEL_ONLY_PROMPT_BAR = 0.65;

/** The bar for an output whose only rule hits are mentions (security writing quoting attacks). */
export const MENTIONS_ONLY_OUTPUT_BAR = 0.95;

/**
 * The score a text must reach to be called an injection. Tool outputs are mostly ordinary data
 * (records, docs, code): when no rule matched (mentions aside), or only one weak one ("[SYSTEM]" in
 * a log, `curl | sh` in a README), the score must clear MODEL_ONLY_OUTPUT_BAR.
 */
export function verdictBar(kind: InjectionKind, ev: Pick<Evidence, "issuedRules" | "strongestIssued" | "mentions">, threshold: number): number {
  const weakFooting = ev.issuedRules === 0 || (ev.issuedRules === 1 && ev.strongestIssued < STRONG_RULE);
  if (!weakFooting || kind === "description") return threshold;
  // Quoting attacks and issuing none is how writing *about* them looks; the model, which learnt
  // the vocabulary of attacks, scores such articles high (more so outside English).
  if (kind === "output" && ev.issuedRules === 0 && ev.mentions > 0) return Math.max(threshold, MENTIONS_ONLY_OUTPUT_BAR);
  return Math.max(threshold, kind === "output" ? MODEL_ONLY_OUTPUT_BAR : MODEL_ONLY_PROMPT_BAR);
}

/**
 * Scores a text for instructions aimed at the agent. Rules (multilingual, after normalisation)
 * and the n-gram model each give log-odds evidence; a fitted logistic combination calibrates it.
 */
export function detectInjection(text: string, options: DetectOptions = {}): InjectionVerdict {
  const kind = options.kind ?? "output";
  const threshold = resolveThreshold(options.threshold);
  if (!hasLetterOrDigit(text)) return { verdict: "benign", score: 0, threshold, reasons: [], signals: [] };
  const ev = gatherEvidence(text, kind, options.model);
  const combiner = options.combiner ?? COMBINER;
  const score = combine(ev.ruleLogit, ev.modelLogit, kind, combiner);
  const reasons: InjectionReason[] = [];
  const seen = new Set<string>();
  for (const h of ev.hits) {
    const o = ev.norm.toOriginal(h.start, h.end);
    const key = `${h.rule.id}:${o.start}:${o.end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    reasons.push({ rule: h.rule.id, start: o.start, end: o.end });
  }
  if (combiner.modelScale * ev.modelLogit > 1 && ev.modelEnd > ev.modelStart) {
    const o = ev.norm.toOriginal(ev.modelStart, ev.modelEnd);
    reasons.push({ rule: "model", start: o.start, end: o.end });
  }
  reasons.sort((a, b) => a.start - b.start || a.end - b.end);
  const bar = verdictBar(kind, ev, threshold);
  return { verdict: score >= bar ? "injection" : "benign", score: round(score), threshold, reasons, signals: [...ev.norm.signals] };
}

/** `/[\p{L}\p{N}]/u.test(text)`, answered from the first ASCII letter or digit when there is one early on. */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
function hasLetterOrDigit(text: string): boolean {
  const n = Math.min(text.length, 64);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || (c >= 0x30 && c <= 0x39)) return true;
  }
  return LETTER_OR_DIGIT.test(text);
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
