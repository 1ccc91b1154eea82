import { randomUUID } from "node:crypto";
import { ALLOW, deny, modify, type Decision } from "../../pipeline/decision.js";
import type { Layer, LayerContext } from "../../pipeline/layer.js";
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from "../../protocol/json-rpc.js";
import { CLASSIFIER_DEFAULTS } from "../../config/builtin-defaults.js";
import { collectTexts, type TextPart } from "./collect-texts.js";
import { detectInjection, resolveThreshold, type InjectionKind, type ThresholdName } from "./detect-injection.js";
import type { InjectionClassifier } from "./onnx-classifier.js";
import { sharedClassifier } from "./onnx-classifier-cache.js";
import { sanitizeOtherResult, sanitizeToolResult, type InjectionAction, type SanitizeContext } from "./sanitize-output.js";

export interface InjectionLayerOptions {
  /** Overrides the per-server policy (tests, embedding). */
  action?: InjectionAction;
  threshold?: ThresholdName | number;
  /** Log (audit) detections but never change or block anything. */
  shadow?: boolean;
  /**
   * A classifier scoring the texts of messages the built-in detector did not flag, in place of
   * the server's `injection.classifier` (e.g. an OnnxInjectionClassifier); `false`: none, even
   * when configured.
   */
  classifier?: InjectionClassifier | false;
  /** Probability at or above which `classifier` calls a text an injection. Default 0.5. */
  classifierThreshold?: number;
}

type Scan = "tool_results" | "resources" | "prompts" | "sampling";
const SCAN_OF: Record<string, Scan> = { "tools/call": "tool_results", "resources/read": "resources", "prompts/get": "prompts", "sampling/createMessage": "sampling" };
const KIND_OF: Record<string, InjectionKind> = { "tools/call": "output", "resources/read": "output", "prompts/get": "prompt", "sampling/createMessage": "prompt" };

/**
 * Scans what servers send the model (tool results, resources, prompts, sampling requests) for
 * injected instructions and applies the server's `injection.action`. The decision carries the
 * matched rules and spans in `details`, never the content, and asks the relay to flag the session
 * ("injection_seen", except in shadow mode) so later side effects need approval.
 *
 * With a classifier (the server's `injection.classifier`, or `options.classifier`), a message the
 * built-in detector passes is also scored by it; a text at or above its threshold is an injection
 * with rule "classifier" and goes through the same action. Only then is the layer asynchronous.
 *
 * @example createInjectionLayer()  // policy from each server's `injection:` section
 */
export function createInjectionLayer(options: InjectionLayerOptions = {}): Layer {
  if (options.threshold !== undefined) resolveThreshold(options.threshold);
  if (options.classifierThreshold !== undefined && !(options.classifierThreshold >= 0 && options.classifierThreshold <= 1)) throw new RangeError(`classifierThreshold must be within 0..1, got ${options.classifierThreshold}`);
  return {
    name: "injection",
    responseMethods: ["tools/call", "resources/read", "prompts/get"],
    serverMessageMethods: ["sampling/createMessage"],
    onResponse(res: JsonRpcResponse, req: JsonRpcRequest, ctx: LayerContext): Decision | Promise<Decision> {
      if (!res.result) return ALLOW;
      const toolName = req.method === "tools/call" && typeof req.params?.name === "string" ? req.params.name : undefined;
      return inspect(req.method, res.result, toolName, ctx, options, (result) => ({ ...res, result }));
    },
    onServerMessage(msg: JsonRpcRequest | JsonRpcNotification, ctx: LayerContext): Decision | Promise<Decision> {
      if (msg.method !== "sampling/createMessage" || !msg.params) return ALLOW;
      return inspect(msg.method, msg.params, undefined, ctx, options, (params) => ({ ...msg, params }));
    },
  };
}

/** What the scan of one message found, and how to act on it. */
interface Finding {
  method: string;
  payload: Record<string, unknown>;
  toolName: string | undefined;
  kind: InjectionKind;
  threshold: number;
  action: InjectionAction;
  shadow: boolean;
  score: number;
  reasons: { part: string; rule: string; start: number; end: number }[];
  signals: Set<string>;
  /** Set when the classifier made the call. */
  classifierThreshold?: number;
}

function inspect(method: string, payload: Record<string, unknown>, toolName: string | undefined, ctx: LayerContext, options: InjectionLayerOptions, rebuild: (p: Record<string, unknown>) => object): Decision | Promise<Decision> {
  const policy = ctx.server.injection;
  const scan = SCAN_OF[method];
  if (!scan || !(policy.scan ?? []).includes(scan)) return ALLOW;
  const perTool = toolName !== undefined ? policy.tools?.[toolName] : undefined;
  const threshold = resolveThreshold(options.threshold ?? perTool?.threshold ?? policy.threshold);
  const action = options.action ?? perTool?.action ?? policy.action;
  const shadow = options.shadow ?? perTool?.shadow ?? policy.shadow ?? false;
  const kind = KIND_OF[method]!;

  const scanned = method === "tools/call" || method === "prompts/get" || method === "resources/read" ? payload : { messages: payload.messages, systemPrompt: payload.systemPrompt };
  // The message is an injection when any part is: a benign part that scores higher (model-only
  // evidence under its bar) must not mask an injected one.
  let best: number | undefined;
  const reasons: Finding["reasons"] = [];
  const signals = new Set<string>();
  const parts = collectTexts(scanned);
  for (const part of parts) {
    const v = detectInjection(part.text, { kind, threshold });
    if (v.verdict !== "injection") continue;
    if (best === undefined || v.score > best) best = v.score;
    for (const r of v.reasons.slice(0, 16)) reasons.push({ part: part.path, ...r });
    for (const s of v.signals) signals.add(s);
  }
  if (best !== undefined) return decide({ method, payload, toolName, kind, threshold, action, shadow, score: best, reasons, signals }, ctx, rebuild);
  // Nothing flagged: a configured classifier gets a say (asynchronously). Without one the layer
  // stays synchronous, as cheap as before the classifier existed.
  if (options.classifier === undefined && policy.classifier === undefined) return ALLOW;
  if (options.classifier === false || parts.length === 0) return ALLOW;
  const f: Finding = { method, payload, toolName, kind, threshold, action, shadow, score: 0, reasons, signals };
  if (options.classifier !== undefined) return classify(parts, options.classifier, options.classifierThreshold ?? CLASSIFIER_DEFAULTS.threshold, f, ctx, rebuild);
  return classify(parts, sharedClassifier(policy.classifier!), policy.classifier!.threshold, f, ctx, rebuild);
}

/**
 * Scores every text of the message in one classifier call (its windows batched into as few runs
 * as fit); a text at or above the threshold is an injection with rule "classifier", spanning the
 * whole text. Errors and timeouts reject, and the pipeline denies the message (fail closed).
 */
async function classify(parts: readonly TextPart[], source: InjectionClassifier | Promise<InjectionClassifier>, threshold: number, f: Finding, ctx: LayerContext, rebuild: (p: Record<string, unknown>) => object): Promise<Decision> {
  const classifier = await source;
  const scores = await classifier.score(parts.map((p) => p.text));
  if (!Array.isArray(scores) || scores.length !== parts.length) throw new Error(`the injection classifier returned ${Array.isArray(scores) ? scores.length : "no"} scores for ${parts.length} texts`);
  let best: number | undefined;
  const hits: Finding["reasons"] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = scores[i];
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(`the injection classifier returned ${String(p)}, not a probability`);
    if (p < threshold) continue;
    if (best === undefined || p > best) best = p;
    hits.push({ part: parts[i]!.path, rule: "classifier", start: 0, end: parts[i]!.text.length });
  }
  if (best === undefined) return ALLOW;
  f.score = best;
  f.reasons.push(...hits);
  f.classifierThreshold = threshold;
  return decide(f, ctx, rebuild);
}

function decide(f: Finding, ctx: LayerContext, rebuild: (p: Record<string, unknown>) => object): Decision {
  const { method, payload, toolName, kind, threshold, action, shadow, reasons } = f;
  const source = toolName ?? method;
  const detectionId = `inj_${randomUUID().slice(0, 12)}`;
  const rules = [...new Set(reasons.map((r) => r.rule))];
  const details = { kind, source, score: f.score, threshold, ...(f.classifierThreshold !== undefined ? { classifier_threshold: f.classifierThreshold } : {}), action, shadow, detection_id: detectionId, rules, reasons: reasons.slice(0, 32), signals: [...f.signals] };
  const what = toolName !== undefined ? `the output of tool \`${toolName}\`` : `the ${method} content`;
  const reason = `Portcullis detected a likely prompt injection in ${what} from server "${ctx.server.name}" (score ${f.score.toFixed(2)}; ${rules.slice(0, 4).join(", ")}).`;

  // The confused-deputy guard: once enforced, later side effects in this session need approval.
  const flags = ["injection_seen"];
  if (shadow) return modify(rebuild(payload) as Record<string, unknown>, "injection-shadow", `${reason} Shadow mode: relayed unchanged.`, "injection_detected", { severity: "medium", details });
  if (action === "block") return deny("INJECTION_DETECTED", "injection", `${reason} The content was blocked.`, { event: "injection_detected", severity: "high", details, flags });
  const sctx: SanitizeContext = { source, detectionId, score: f.score, reasons };
  const changed = method === "tools/call" ? sanitizeToolResult(payload, action, sctx) : method === "sampling/createMessage" ? sanitizeSampling(payload, action, sctx) : sanitizeOtherResult(payload, action, sctx);
  return modify(rebuild(changed) as Record<string, unknown>, `injection-${action}`, `${reason} Action: ${action}.`, "injection_detected", { severity: action === "warn" ? "medium" : "high", details, flags });
}

function sanitizeSampling(params: Record<string, unknown>, action: Exclude<InjectionAction, "block">, ctx: SanitizeContext): Record<string, unknown> {
  const out = sanitizeOtherResult({ messages: params.messages }, action, ctx);
  return { ...params, messages: out.messages };
}
