import type { ServerPolicy } from "../../config/server-policy.js";
import { ALLOW, deny, modify, type Severity } from "../../pipeline/decision.js";
import type { Layer } from "../../pipeline/layer.js";
import { toolNameOf } from "../../protocol/tool-list.js";
import { reviewDefinition } from "./review-definition.js";
import { maxSeverity, SEVERITY_RANK, type Finding, type ReviewedKind } from "./review-types.js";

/** What to do with a definition whose worst finding has a given severity. */
export type DescriptionAction = "drop" | "strip" | "flag" | "allow";
export const DESCRIPTION_ACTIONS: readonly DescriptionAction[] = ["drop", "strip", "flag", "allow"];
export type ActionPolicy = Readonly<Record<Exclude<Severity, "info">, DescriptionAction>>;

/** Drop what is clearly poisoned, audit what is suspicious, let the rest through. */
export const DEFAULT_ACTIONS: ActionPolicy = Object.freeze({ critical: "drop", high: "drop", medium: "flag", low: "allow" });

export interface DescriptionReviewOptions {
  /** Action per severity; a server's `descriptions.action` overrides entries. */
  actions?: Partial<ActionPolicy>;
  /** Use the injection detector's model besides the rules (default true). */
  useModel?: boolean;
}

const LISTS: Record<string, { key: string; kind: ReviewedKind }> = {
  "tools/list": { key: "tools", kind: "tool" },
  "prompts/list": { key: "prompts", kind: "prompt" },
  "resources/templates/list": { key: "resourceTemplates", kind: "resource_template" },
};

const ACTION_RANK: Record<DescriptionAction, number> = { allow: 0, flag: 1, strip: 2, drop: 3 };

const droppedPromptFlag = (name: string) => `description-dropped:prompt:${name}`;
const TEMPLATE_FLAG = "description-dropped:template:";
const droppedTemplateFlag = (uriTemplate: string) => TEMPLATE_FLAG + uriTemplate;

/** The dropped template (RFC 6570, simple and reserved expansion) a URI falls under, if any. */
function droppedTemplateOf(flags: ReadonlySet<string>, uri: string): string | undefined {
  for (const f of flags) {
    if (!f.startsWith(TEMPLATE_FLAG)) continue;
    const template = f.slice(TEMPLATE_FLAG.length);
    const pattern = template.split(/(\{[^}]*\})/).map((part) => (part.startsWith("{") ? (part.startsWith("{+") || part.startsWith("{#") ? ".*" : "[^/?#]*") : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("");
    if (new RegExp(`^${pattern}$`, "u").test(uri)) return template;
  }
  return undefined;
}

/** The action policy for one server: defaults, then the layer's options, then `descriptions.action` from the config. */
export function actionPolicyOf(server: ServerPolicy, base: ActionPolicy): ActionPolicy {
  const raw = server.descriptions?.action;
  if (!raw || typeof raw !== "object") return base;
  const out = { ...base };
  for (const sev of ["critical", "high", "medium", "low"] as const) {
    const a = (raw as Record<string, unknown>)[sev];
    if (typeof a === "string" && (DESCRIPTION_ACTIONS as readonly string[]).includes(a)) out[sev] = a as DescriptionAction;
  }
  return out;
}

/** The strongest action any finding asks for. */
export function actionFor(findings: readonly Finding[], policy: ActionPolicy): DescriptionAction {
  let best: DescriptionAction = "allow";
  for (const f of findings) if (ACTION_RANK[policy[f.severity]] > ACTION_RANK[best]) best = policy[f.severity];
  return best;
}

/** A definition with every model-facing text replaced by a neutral sentence; names and types stay. */
export function stripDefinition(kind: ReviewedKind, def: Record<string, unknown>): Record<string, unknown> {
  const name = typeof def.name === "string" ? def.name : "(unnamed)";
  const out: Record<string, unknown> = { ...def, description: `${kind === "tool" ? "Tool" : kind === "prompt" ? "Prompt" : "Resource template"} \`${name}\` (its description was withheld by Portcullis after review).` };
  delete out.title;
  if (kind === "tool") {
    if (def.annotations && typeof def.annotations === "object") {
      const { title: _t, ...ann } = def.annotations as Record<string, unknown>;
      out.annotations = ann;
    }
    out.inputSchema = stripSchema(def.inputSchema, 0);
    if (def.outputSchema !== undefined) out.outputSchema = stripSchema(def.outputSchema, 0);
  } else if (kind === "prompt" && Array.isArray(def.arguments)) {
    out.arguments = def.arguments.map((a: Record<string, unknown>) => {
      if (!a || typeof a !== "object") return a;
      const { description: _d, title: _t, ...rest } = a;
      return rest;
    });
  }
  return out;
}

function stripSchema(schema: unknown, depth: number): unknown {
  if (!schema || typeof schema !== "object" || depth > 8) return schema;
  if (Array.isArray(schema)) return schema.map((s) => stripSchema(s, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema as Record<string, unknown>)) {
    if ((k === "description" || k === "title") && typeof v === "string") continue;
    if (k === "properties" && v && typeof v === "object") {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([p, s]) => [p, stripSchema(s, depth + 1)]));
    } else out[k] = typeof v === "object" ? stripSchema(v, depth + 1) : v;
  }
  return out;
}

/**
 * Description review: every tool, prompt and resource template a server lists is checked for
 * poisoning (hidden instructions, shadowing, exfiltration, secrecy, invisible characters,
 * overlong text, secrets, internal hosts). Per the worst finding's severity the definition is
 * dropped, stripped to a neutral description, or flagged (audited, passed unchanged). Calls to a
 * dropped tool are refused.
 *
 * @example createDescriptionReviewLayer({ actions: { medium: "strip" } })
 */
export function createDescriptionReviewLayer(options: DescriptionReviewOptions = {}): Layer {
  for (const [sev, a] of Object.entries(options.actions ?? {})) {
    if (!(sev in DEFAULT_ACTIONS)) throw new TypeError(`createDescriptionReviewLayer: unknown severity "${sev}" in actions`);
    if (!DESCRIPTION_ACTIONS.includes(a)) throw new TypeError(`createDescriptionReviewLayer: action for ${sev} must be one of ${DESCRIPTION_ACTIONS.join(", ")}, got "${String(a)}"`);
  }
  const base: ActionPolicy = { ...DEFAULT_ACTIONS, ...options.actions };
  const useModel = options.useModel ?? true;
  // Reviews of the catalog's definition objects (replaced on each listing, so never stale).
  const cache = new WeakMap<object, Finding[]>();
  const review = (kind: ReviewedKind, def: Record<string, unknown>, siblings: () => readonly string[]) => {
    let f = cache.get(def);
    if (!f) {
      f = reviewDefinition(kind, def, { siblingTools: siblings(), useModel });
      cache.set(def, f);
    }
    return f;
  };

  return {
    name: "description-review",
    requestMethods: ["tools/call", "prompts/get", "resources/read"],
    responseMethods: Object.keys(LISTS),

    onResponse(res, req, ctx) {
      const spec = LISTS[req.method];
      const items = spec ? (res.result?.[spec.key] as unknown) : undefined;
      if (!spec || !Array.isArray(items)) return ALLOW;
      const policy = actionPolicyOf(ctx.server, base);
      let names: string[] | undefined;
      const siblings = () => (names ??= spec.kind === "tool" ? [...ctx.session.tools].map((t) => t.name) : []);
      const kept: unknown[] = [];
      const dropped: string[] = [];
      const droppedTemplates: string[] = [];
      const stripped: string[] = [];
      const flagged: string[] = [];
      const reported: Finding[] = [];
      for (const item of items as Record<string, unknown>[]) {
        if (!item || typeof item !== "object") {
          kept.push(item);
          continue;
        }
        const name = typeof item.name === "string" ? item.name : undefined;
        // Review the upstream's own definition when the catalog has it (another layer may have rewritten the message).
        const def = spec.kind === "tool" && name !== undefined ? (ctx.session.tools.get(name)?.definition ?? item) : item;
        const findings = review(spec.kind, def, siblings);
        const action = actionFor(findings, policy);
        const label = name ?? (typeof item.uriTemplate === "string" ? item.uriTemplate : "(unnamed)");
        if (action !== "allow") reported.push(...findings.filter((f) => policy[f.severity] !== "allow"));
        if (action === "drop") {
          dropped.push(label);
          if (typeof item.uriTemplate === "string") droppedTemplates.push(item.uriTemplate);
        }
        else if (action === "strip") {
          stripped.push(label);
          kept.push(stripDefinition(spec.kind, item));
        } else {
          if (action === "flag") flagged.push(label);
          kept.push(item);
        }
      }
      if (reported.length === 0) return ALLOW;
      const severity = maxSeverity(reported) ?? "medium";
      const message = dropped.length || stripped.length ? { ...res, result: { ...res.result, [spec.key]: kept } } : (res as unknown as Record<string, unknown>);
      const what = [dropped.length ? `dropped ${dropped.join(", ")}` : "", stripped.length ? `stripped ${stripped.join(", ")}` : "", flagged.length ? `flagged ${flagged.join(", ")}` : ""].filter(Boolean).join("; ");
      const rules = [...new Set(reported.map((f) => f.rule))].join(", ");
      return modify(message, "description-review", `description review of server "${ctx.server.name}" (${rules}): ${what}`, dropped.length || stripped.length ? "description_rejected" : "description_flagged", {
        severity: severity === "critical" ? "critical" : severity,
        // Dropped prompts stay refused when fetched by name (tools are re-reviewed from the catalog).
        flags: spec.kind === "prompt" ? dropped.map(droppedPromptFlag) : spec.kind === "resource_template" ? droppedTemplates.map(droppedTemplateFlag) : undefined,
        details: {
          ...(dropped.length ? { dropped } : {}),
          ...(stripped.length ? { stripped } : {}),
          ...(flagged.length ? { flagged } : {}),
          findings: reported.slice(0, 25).map((f) => ({ name: f.name, severity: f.severity, rule: f.rule, field: f.field, span: [f.span.start, f.span.end], excerpt: f.excerpt })),
        },
      });
    },

    onRequest(req, ctx) {
      if (req.method === "prompts/get") {
        const prompt = typeof req.params?.name === "string" ? req.params.name : undefined;
        if (prompt === undefined || !ctx.session.flags.has(droppedPromptFlag(prompt))) return ALLOW;
        return deny("DESCRIPTION_REJECTED", "description-dropped", `Portcullis blocked prompt \`${prompt}\`: its definition on server "${ctx.server.name}" failed review and was withheld from prompts/list. Inspect it with \`portcullis scan\`.`, { event: "description_rejected", severity: "high" });
      }
      if (req.method === "resources/read") {
        const uri = typeof req.params?.uri === "string" ? req.params.uri : undefined;
        const template = uri === undefined ? undefined : droppedTemplateOf(ctx.session.flags, uri);
        if (template === undefined) return ALLOW;
        return deny("DESCRIPTION_REJECTED", "description-dropped", `Portcullis blocked reading \`${uri}\`: it matches resource template \`${template}\` on server "${ctx.server.name}", whose definition failed review. Inspect it with \`portcullis scan\`.`, { event: "description_rejected", severity: "high" });
      }
      const name = toolNameOf(req.params);
      const def = name === undefined ? undefined : ctx.session.tools.get(name)?.definition;
      if (!name || !def) return ALLOW;
      const findings = review("tool", def, () => [...ctx.session.tools].map((t) => t.name));
      if (actionFor(findings, actionPolicyOf(ctx.server, base)) !== "drop") return ALLOW;
      const worst = findings.find((f) => SEVERITY_RANK[f.severity] === SEVERITY_RANK[maxSeverity(findings)!])!;
      return deny("DESCRIPTION_REJECTED", `description-${worst.rule}`, `Portcullis blocked \`${name}\`: its definition on server "${ctx.server.name}" failed review (${worst.rule} in ${worst.field}: ${worst.message}). Inspect it with \`portcullis scan\`.`, { event: "description_rejected", severity: worst.severity });
    },
  };
}
