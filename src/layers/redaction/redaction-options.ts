import { BUILTIN_DEFAULTS } from "../../config/builtin-defaults.js";

/** What to redact and how. Every field is optional; the defaults are the seed policy's. */
export interface RedactionOptions {
  /** Key patterns, matched case- and separator-insensitively. Default: the built-in seed list. */
  keys?: readonly string[];
  /** Keys never redacted, even when a pattern matches (e.g. `token_count`). */
  keep?: readonly string[];
  /** Run value detectors over text (tokens, cards, `password=` …). Default true. */
  text?: boolean;
  /** Also redact emails and phone numbers. Default false. */
  pii?: boolean;
  /** When set, markers carry a short HMAC tag: `[REDACTED:type:3fa2c1]`. */
  hashKey?: string;
}

export const DEFAULT_REDACTION_KEYS: readonly string[] = BUILTIN_DEFAULTS.redaction.keys;
