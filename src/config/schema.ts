import { z } from "zod";
import { approvalsSchema } from "../approvals/approvals-config.js";
import { oauthConfigSchema } from "../auth/oauth/oauth-config.js";
import { serveMetricsSchema } from "../metrics/metrics-config.js";
import { APPROVAL_MODES, OPERATIONS, OUTBOUND_MODES, SENSITIVITY_LEVELS, TRUST_LEVELS } from "./vocabulary.js";

export { APPROVAL_MODES, OPERATIONS, OUTBOUND_MODES, SENSITIVITY_LEVELS, TRUST_LEVELS, type Operation, type TrustLevel } from "./vocabulary.js";

/**
 * The portcullis.yaml schema. Objects are strict so a typo ("alow:") is an error with a
 * suggestion instead of a silently ignored key.
 */


const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
const duration = z.string().regex(/^\d+(?:\.\d+)?[smhdw]$/, "a duration like 90d, 24h, 30m");
const auditSink = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("stdout") }),
  z.strictObject({ type: z.literal("stderr") }),
  z.strictObject({
    type: z.literal("syslog"), host: z.string(), port: z.number().int().min(1).max(65535).optional(),
    protocol: z.enum(["udp", "tcp"]).optional(), facility: z.number().int().min(0).max(23).optional(), min_severity: z.enum(SEVERITIES).optional(),
  }),
  z.strictObject({
    type: z.literal("http"), url: z.string().url(), format: z.enum(["jsonl", "otlp"]).optional(),
    min_severity: z.enum(SEVERITIES).optional(), headers: z.record(z.string(), z.string()).optional(),
  }),
]);

const argumentRule = z
  .strictObject({
    pattern: z.string().optional().describe("Regular expression the (string) value must match"),
    enum: z.array(z.union([z.string(), z.number(), z.boolean()])).optional().describe("Allowed values"),
    max_length: z.number().int().nonnegative().optional().describe("Maximum string length"),
    min: z.number().optional().describe("Minimum numeric value"),
    max: z.number().optional().describe("Maximum numeric value"),
    required: z.boolean().optional().describe("Argument must be present"),
  })
  .superRefine((rule, ctx) => {
    if (rule.pattern !== undefined) {
      try {
        new RegExp(rule.pattern, "u");
      } catch (e) {
        ctx.addIssue({ code: "custom", path: ["pattern"], message: `not a valid regular expression: ${(e as Error).message}` });
      }
    }
    if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
      ctx.addIssue({ code: "custom", path: ["min"], message: `min (${rule.min}) is greater than max (${rule.max})` });
    }
  });

const toolPolicy = z.strictObject({
  approval: z.enum(APPROVAL_MODES).optional().describe("always | never | auto (auto: side-effecting tools below high trust)"),
  max_calls_per_session: z.number().int().positive().optional(),
  arguments: z.record(z.string(), argumentRule).optional(),
  operation: z.enum(OPERATIONS).optional().describe("Override the inferred operation class"),
  read_only: z.boolean().optional().describe("Declare the tool read-only (a grant; annotations are only hints)"),
  rate_per_minute: z.number().int().positive().optional().describe("Calls per minute per caller for this tool"),
  sensitivity: z.enum(SENSITIVITY_LEVELS).optional().describe("What the audit log keeps of this tool's arguments"),
  approval_for_session: z.number().int().positive().max(1000).optional().describe("'Approve for this session' also covers the next N calls of this tool"),
});

const toolsSection = z.strictObject({
  allow: z.array(z.string()).optional().describe("Glob patterns of tools to expose; absent = all"),
  deny: z.array(z.string()).optional().describe("Glob patterns of tools to hide and refuse; deny wins"),
  require_prefix: z.string().optional(),
  max_tools: z.number().int().positive().optional(),
  read_only: z.array(z.string()).optional().describe("Glob patterns of tools declared read-only"),
  side_effects: z.array(z.string()).optional().describe("Glob patterns of tools always treated as side-effecting (wins over read-only hints and grants)"),
  policies: z.record(z.string(), toolPolicy).optional(),
});

const methodsSection = z.strictObject({
  deny: z.array(z.string()).optional().describe("Glob patterns of JSON-RPC methods to refuse"),
});

/**
 * An optional ONNX text classifier (e.g. Prompt Guard 2) scoring what the built-in detector let
 * through (docs/injection.md). Paths resolve against the config file's directory; the files must
 * exist when the config is loaded. `false` turns an inherited classifier off for one server.
 */
const injectionClassifier = z.strictObject({
  model: z.string().min(1).describe("Path of the .onnx model (a sequence classifier: input_ids, attention_mask -> logits)"),
  tokenizer: z.string().min(1).describe("Path of the model's Hugging Face tokenizer.json"),
  threshold: z.number().min(0).max(1).optional().describe("Injection probability at or above which a text is an injection (default 0.5)"),
  injection_labels: z
    .array(z.union([z.number().int().nonnegative(), z.string().min(1)]))
    .min(1)
    .optional()
    .describe("Output labels that mean injection: indices, or names from config.json's id2label beside the model (default: MALICIOUS/INJECTION/JAILBREAK by name, else label 1 of a two-label model)"),
  max_length: z.number().int().min(8).max(8192).optional().describe("Tokens per window, special tokens included (default 512); longer texts are scored in overlapping windows"),
  timeout_ms: z.number().int().positive().max(60_000).optional().describe("Per-message scoring budget; slower scoring denies (fail closed). Default 1500"),
});

const securityPolicyFields = {
  trust: z.enum(TRUST_LEVELS).optional(),
  require_https: z.boolean().optional(),
  max_response_kb: z.number().positive().optional(),
  max_request_kb: z.number().positive().optional(),
  timeout_s: z.number().positive().optional(),
  rate_limit: z.strictObject({ per_minute: z.number().int().positive() }).optional(),
  audit: z
    .strictObject({
      all_calls: z.boolean().optional(),
      zdr: z.boolean().optional().describe("Zero data retention: metadata only, no payload written anywhere"),
      sensitivity: z.enum(SENSITIVITY_LEVELS).optional().describe("Default for tools: public | internal | confidential | restricted"),
      results: z.enum(["summary", "full"]).optional().describe("Audit result summaries (default) or full results"),
    })
    .optional(),
  injection: z
    .strictObject({
      action: z.enum(["block", "withhold", "wrap", "warn"]).optional(),
      threshold: z.union([z.enum(["low", "default", "high"]), z.number().min(0).max(1)]).optional(),
      scan: z.array(z.enum(["tool_results", "resources", "prompts", "sampling"])).optional(),
      shadow: z.boolean().optional().describe("Audit detections but change nothing"),
      tools: z
        .record(
          z.string(),
          z.strictObject({
            threshold: z.union([z.enum(["low", "default", "high"]), z.number().min(0).max(1)]).optional(),
            action: z.enum(["block", "withhold", "wrap", "warn"]).optional(),
            shadow: z.boolean().optional(),
          }),
        )
        .optional()
        .describe("Per-tool overrides"),
      classifier: z.union([injectionClassifier, z.literal(false)]).optional().describe("ONNX classifier run on texts the built-in detector did not flag; false: none for this server"),
    })
    .optional(),
  descriptions: z
    .strictObject({
      action: z
        .strictObject({
          critical: z.enum(["drop", "strip", "flag", "allow"]).optional(),
          high: z.enum(["drop", "strip", "flag", "allow"]).optional(),
          medium: z.enum(["drop", "strip", "flag", "allow"]).optional(),
          low: z.enum(["drop", "strip", "flag", "allow"]).optional(),
        })
        .optional()
        .describe("Description review action per finding severity (default: critical/high drop, medium flag, low allow)"),
    })
    .optional(),
  pins: z
    .strictObject({
      mode: z.enum(["allow", "block", "review"]).optional().describe("New tools: allow (trust on first use, default) | block | review"),
      store: z.enum(["file"]).optional().describe("Where pins live: file = pins.lock.json in the state dir"),
    })
    .optional(),
  redaction: z
    .strictObject({
      keys: z.array(z.string()).optional().describe("Key patterns whose values are redacted (case/separator-insensitive)"),
      keep: z.array(z.string()).optional().describe("Keys never redacted even when a pattern matches"),
      text: z.boolean().optional().describe("Detect secrets inside text values"),
      pii: z.boolean().optional().describe("Also redact emails and phone numbers"),
      hash_key: z.string().min(1).optional().describe("HMAC key: markers carry a short tag to correlate equal secrets"),
      outbound: z.enum(OUTBOUND_MODES).optional().describe("Secrets in outgoing tools/call arguments: off | block | redact | warn"),
      tools: z
        .record(
          z.string(),
          z.strictObject({
            keys: z.array(z.string()).optional(),
            keep: z.array(z.string()).optional(),
            text: z.boolean().optional(),
            pii: z.boolean().optional(),
            outbound: z.enum(OUTBOUND_MODES).optional(),
          }),
        )
        .optional()
        .describe("Per-tool overrides, by tool name or glob"),
    })
    .optional(),
};

export const defaultsSchema = z.strictObject({ ...securityPolicyFields });

export const serverSchema = z
  .strictObject({
    ...securityPolicyFields,
    command: z.union([z.array(z.string()).min(1), z.string().min(1)]).optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().optional(),
    url: z.string().url().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    public_url: z.string().url().optional().describe("Public URL where hosted model providers reach this server (e.g. through serve); used by export"),
    tools: toolsSection.optional(),
    methods: methodsSection.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.command !== undefined && s.url !== undefined) {
      ctx.addIssue({ code: "custom", path: ["url"], message: "a server has either `command` or `url`, not both" });
    }
  });

export const configSchema = z.strictObject({
  defaults: defaultsSchema.optional(),
  servers: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, "server names use letters, digits, _ and -"), serverSchema)
    // `/mcp` names tools `<server>__<tool>` and splits at the first `__`: that is unambiguous only when
    // no server name contains `__` or ends with `_` (docs/aggregate.md).
    .superRefine((servers, ctx) => {
      for (const name of Object.keys(servers)) {
        if (name.includes("__") || name.endsWith("_")) ctx.addIssue({ code: "custom", path: [name], message: `server name "${name}" must not contain "__" or end with "_" (the aggregated /mcp endpoint names tools <server>__<tool>)` });
      }
    })
    .optional(),
  audit: z
    .strictObject({
      path: z.string().optional(),
      hmac_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe("Env var holding the HMAC key for the chain"),
      rotate: z.strictObject({ max_mb: z.number().positive().optional(), daily: z.boolean().optional() }).optional(),
      sinks: z.array(auditSink).optional(),
      retention: z.record(z.string(), duration).optional().describe("default | security | operational | <event> -> max age"),
    })
    .optional(),
  auth: z
    .strictObject({
      api_keys: z.boolean().optional().describe("serve: require `Authorization: Bearer <key>` (portcullis keys create)"),
      oauth: oauthConfigSchema.optional().describe("serve: OAuth 2.1 resource server (docs/oauth.md)"),
    })
    .optional(),
  serve: z
    .strictObject({
      allowed_origins: z.array(z.string()).optional().describe("Browser origins allowed to call the gateway"),
      max_sessions: z.number().int().positive().optional(),
      idle_timeout_s: z.number().positive().max(86_400).optional().describe("Close sessions and stateless channels idle this long (default 1800)"),
      metrics: serveMetricsSchema.optional().describe("Expose Prometheus metrics at GET /metrics (docs/metrics.md)"),
    })
    .optional(),
  approvals: approvalsSchema.optional().describe("Human approval channels (docs/approvals.md)"),
  store: z.strictObject({ url: z.string().regex(/^(sqlite:|rediss?:\/\/|memory:$)/i, "use sqlite:PATH, redis://host:6379, rediss://host:6380 or memory:") }).optional(),
  alerts: z
    .array(z.strictObject({ url: z.string().url(), min_severity: z.enum(SEVERITIES).optional(), headers: z.record(z.string(), z.string()).optional() }))
    .optional(),
});

export type RawConfig = z.infer<typeof configSchema>;
export type RawServer = z.infer<typeof serverSchema>;
export type ArgumentRule = z.infer<typeof argumentRule>;
export type ToolPolicy = z.infer<typeof toolPolicy>;
export type RawInjectionClassifier = z.infer<typeof injectionClassifier>;
