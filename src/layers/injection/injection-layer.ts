import { randomUUID } from "node:crypto";
import { ALLOW, deny, modify, type Decision } from "../../pipeline/decision.js";
import type { Layer, LayerContext } from "../../pipeline/layer.js";
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from "../../protocol/json-rpc.js";
import { collectTexts } from "./collect-texts.js";
import { detectInjection, resolveThreshold, type InjectionKind, type ThresholdName } from "./detect-injection.js";
import { sanitizeOtherResult, sanitizeToolResult, type InjectionAction, type SanitizeContext } from "./sanitize-output.js";

export interface InjectionLayerOptions {
  /** Overrides the per-server policy (tests, embedding). */
  action?: InjectionAction;
  threshold?: ThresholdName | number;
  /** Log (audit) detections but never change or block anything. */
  shadow?: boolean;
}

/** The optional policy fields this layer reads beyond ServerPolicy.injection's typed ones. */
interface InjectionPolicyExtras {
  shadow?: boolean;
  tools?: Record<string, { threshold?: ThresholdName | number; action?: InjectionAction; shadow?: boolean }>;
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
 * @example createInjectionLayer()  // policy from each server's `injection:` section
 */
export function createInjectionLayer(options: InjectionLayerOptions = {}): Layer {
  if (options.threshold !== undefined) resolveThreshold(options.threshold);
  return {
    name: "injection",
    responseMethods: ["tools/call", "resources/read", "prompts/get"],
    serverMessageMethods: ["sampling/createMessage"],
    onResponse(res: JsonRpcResponse, req: JsonRpcRequest, ctx: LayerContext): Decision {
      if (!res.result) return ALLOW;
      const toolName = req.method === "tools/call" && typeof req.params?.name === "string" ? req.params.name : undefined;
      return inspect(req.method, res.result, toolName, ctx, options, (result) => ({ ...res, result }));
    },
    onServerMessage(msg: JsonRpcRequest | JsonRpcNotification, ctx: LayerContext): Decision {
      if (msg.method !== "sampling/createMessage" || !msg.params) return ALLOW;
      return inspect(msg.method, msg.params, undefined, ctx, options, (params) => ({ ...msg, params }));
    },
  };
}

function inspect(method: string, payload: Record<string, unknown>, toolName: string | undefined, ctx: LayerContext, options: InjectionLayerOptions, rebuild: (p: Record<string, unknown>) => object): Decision {
  const policy = ctx.server.injection as LayerContext["server"]["injection"] & InjectionPolicyExtras;
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
  let best: { score: number } | undefined;
  const reasons: { part: string; rule: string; start: number; end: number }[] = [];
  const signals = new Set<string>();
  for (const part of collectTexts(scanned)) {
    const v = detectInjection(part.text, { kind, threshold });
    if (v.verdict !== "injection") continue;
    if (!best || v.score > best.score) best = { score: v.score };
    for (const r of v.reasons.slice(0, 16)) reasons.push({ part: part.path, ...r });
    for (const s of v.signals) signals.add(s);
  }
  if (!best) return ALLOW;

  const source = toolName ?? method;
  const detectionId = `inj_${randomUUID().slice(0, 12)}`;
  const rules = [...new Set(reasons.map((r) => r.rule))];
  const details = { kind, source, score: best.score, threshold, action, shadow, detection_id: detectionId, rules, reasons: reasons.slice(0, 32), signals: [...signals] };
  const what = toolName !== undefined ? `the output of tool \`${toolName}\`` : `the ${method} content`;
  const reason = `Portcullis detected a likely prompt injection in ${what} from server "${ctx.server.name}" (score ${best.score.toFixed(2)}; ${rules.slice(0, 4).join(", ")}).`;

  // The confused-deputy guard: once enforced, later side effects in this session need approval.
  const flags = ["injection_seen"];
  if (shadow) return modify(rebuild(payload) as Record<string, unknown>, "injection-shadow", `${reason} Shadow mode: relayed unchanged.`, "injection_detected", { severity: "medium", details });
  if (action === "block") return deny("INJECTION_DETECTED", "injection", `${reason} The content was blocked.`, { event: "injection_detected", severity: "high", details, flags });
  const sctx: SanitizeContext = { source, detectionId, score: best.score, reasons };
  const changed = method === "tools/call" ? sanitizeToolResult(payload, action, sctx) : method === "sampling/createMessage" ? sanitizeSampling(payload, action, sctx) : sanitizeOtherResult(payload, action, sctx);
  return modify(rebuild(changed) as Record<string, unknown>, `injection-${action}`, `${reason} Action: ${action}.`, "injection_detected", { severity: action === "warn" ? "medium" : "high", details, flags });
}

function sanitizeSampling(params: Record<string, unknown>, action: Exclude<InjectionAction, "block">, ctx: SanitizeContext): Record<string, unknown> {
  const out = sanitizeOtherResult({ messages: params.messages }, action, ctx);
  return { ...params, messages: out.messages };
}
