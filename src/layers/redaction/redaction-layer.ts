import { ALLOW, deny, modify } from "../../pipeline/decision.js";
import type { Layer } from "../../pipeline/layer.js";
import { toolNameOf } from "../../protocol/tool-list.js";
import type { RedactionOptions } from "./redaction-options.js";
import { OUTBOUND_MODES, resolveRedaction, type OutboundMode } from "./redaction-policy.js";
import { countByType, redactJson } from "./redact-json.js";
import { redactMcpResult } from "./redact-mcp-result.js";
import type { TextRedactor } from "./redact-text.js";

export interface RedactionLayerOptions extends RedactionOptions {
  /** Secrets in outgoing `tools/call` arguments: off (default) | block | redact | warn. */
  outbound?: OutboundMode;
}

const describe = (types: Record<string, number>) =>
  Object.entries(types)
    .map(([t, n]) => (n > 1 ? `${t} x${n}` : t))
    .join(", ");

/** Outbound arguments are judged by their values only: a `password` argument to a login tool is the point of the call. */
const valuesOnly = (r: TextRedactor): TextRedactor => ({ keyMatcher: () => undefined, options: r.options, find: r.find, redact: r.redact });

/**
 * Output filter: replaces secrets in tool results, `resources/read` contents and `prompts/get`
 * messages with `[REDACTED:<type>]`, per the server's `redaction` policy (factory options fill in
 * what the policy leaves unset). Audits `response_sanitized` with counts per type, never values.
 * Optionally checks outgoing `tools/call` arguments for secrets about to leave (`outbound`).
 *
 * @example createRedactionLayer({ outbound: "block", hashKey: process.env.PORTCULLIS_REDACTION_KEY })
 */
export function createRedactionLayer(options: RedactionLayerOptions = {}): Layer {
  const outbound = options.outbound ?? "off";
  if (!OUTBOUND_MODES.includes(outbound)) throw new TypeError(`redaction: outbound must be one of ${OUTBOUND_MODES.join(", ")}, got ${String(outbound)}`);
  const fallback = { ...options, outbound };

  return {
    name: "redaction",
    requestMethods: ["tools/call"],
    responseMethods: ["tools/call", "resources/read", "prompts/get"],

    onResponse(res, req, ctx) {
      if (!res.result) return ALLOW;
      const tool = req.method === "tools/call" ? toolNameOf(req.params) : undefined;
      const { redactor } = resolveRedaction(ctx.server, tool, fallback);
      const { result, findings } = redactMcpResult(req.method, res.result, redactor);
      if (findings.length === 0) return ALLOW;
      const types = countByType(findings);
      const what = tool !== undefined ? `\`${tool}\`` : req.method;
      return modify({ ...res, result }, "secret-redacted", `Portcullis redacted ${findings.length} secret(s) (${describe(types)}) from ${what}.`, "response_sanitized", {
        severity: "medium",
        details: { types, count: findings.length },
      });
    },

    onRequest(req, ctx) {
      const tool = toolNameOf(req.params);
      const { redactor, outbound: mode } = resolveRedaction(ctx.server, tool, fallback);
      const args = req.params?.arguments;
      if (mode === "off" || args === undefined) return ALLOW;
      const { value, findings } = redactJson(args, valuesOnly(redactor));
      if (findings.length === 0) return ALLOW;
      const types = countByType(findings);
      const details = { types, count: findings.length, mode };
      const name = tool ?? "(unnamed tool)";
      if (mode === "block") {
        return deny("ARGUMENT_REJECTED", "secret-outbound", `Portcullis blocked \`${name}\`: its arguments contain a secret (${describe(types)}); remove it, or ask an operator to change \`redaction.outbound\`.`, {
          event: "secret_outbound_blocked",
          severity: "high",
          details,
        });
      }
      if (mode === "redact") {
        return modify({ ...req, params: { ...req.params, arguments: value } }, "secret-outbound", `Portcullis redacted ${findings.length} secret(s) (${describe(types)}) from the arguments of \`${name}\`.`, "arguments_sanitized", {
          severity: "medium",
          details,
        });
      }
      // warn: the message goes on unchanged; the decision exists so the relay audits it.
      return modify({ ...req }, "secret-outbound", `Arguments of \`${name}\` contain a secret (${describe(types)}); forwarded because redaction.outbound is warn.`, "secret_outbound_warning", {
        severity: "medium",
        details,
      });
    },
  };
}
