import type { TrustLevel } from "./schema.js";

/**
 * The seed's SecurityPolicy: what every server inherits unless the config says otherwise.
 * Conservative on purpose: low trust, HTTPS upstreams, 1 MB replies, 30 s timeout.
 */
export const BUILTIN_DEFAULTS = {
  trust: "low" as TrustLevel,
  require_https: true,
  max_response_kb: 1024,
  max_request_kb: 4096,
  timeout_s: 30,
  rate_limit: { per_minute: 60 },
  audit: { all_calls: true, zdr: false },
  injection: { action: "block" as const, threshold: "default" as const, scan: ["tool_results", "resources", "prompts", "sampling"] as const },
  redaction: {
    keys: ["password", "password_hash", "secret", "token", "api_key", "access_key", "private_key", "ssn", "credit_card", "cvv", "internal_notes", "authorization", "cookie"],
    text: true,
  },
};

/** Defaults of an `injection.classifier` section (docs/injection.md). */
export const CLASSIFIER_DEFAULTS = {
  threshold: 0.5,
  /** Tokens per window, special tokens included: the context length of Prompt Guard 2. */
  maxLength: 512,
  /** Under the pipeline's 2 s layer timeout, so a slow classifier fails with its own message. */
  timeoutMs: 1500,
} as const;
