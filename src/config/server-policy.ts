import type { ArgumentRule, Operation, ToolPolicy, TrustLevel } from "./schema.js";

/** One server's effective policy: built-in defaults, then `defaults:`, then the server entry. */
export interface ServerPolicy {
  name: string;
  trust: TrustLevel;
  command?: string[];
  url?: string;
  env?: Record<string, string>;
  cwd?: string;
  headers?: Record<string, string>;
  requireHttps: boolean;
  maxResponseBytes: number;
  maxRequestBytes: number;
  timeoutMs: number;
  ratePerMinute: number;
  audit: { allCalls: boolean; zdr: boolean; sensitivity?: "public" | "internal" | "confidential" | "restricted"; results?: "summary" | "full" };
  injection: {
    action: "block" | "withhold" | "wrap" | "warn";
    threshold: "low" | "default" | "high" | number;
    scan: readonly string[];
    shadow?: boolean;
    tools?: Readonly<Record<string, { threshold?: "low" | "default" | "high" | number; action?: "block" | "withhold" | "wrap" | "warn"; shadow?: boolean }>>;
    /** An ONNX classifier scoring what the built-in detector did not flag; absent: none. */
    classifier?: InjectionClassifierPolicy;
  };
  redaction: {
    keys: readonly string[];
    text: boolean;
    keep?: readonly string[];
    pii?: boolean;
    hashKey?: string;
    outbound?: "off" | "block" | "redact" | "warn";
    tools?: Readonly<Record<string, { keys?: string[]; keep?: string[]; text?: boolean; pii?: boolean; outbound?: "off" | "block" | "redact" | "warn" }>>;
  };
  tools: {
    allow?: readonly string[];
    deny: readonly string[];
    requirePrefix?: string;
    maxTools?: number;
    readOnly: readonly string[];
    sideEffects: readonly string[];
    policies: Readonly<Record<string, ToolPolicy>>;
  };
  methods: { deny: readonly string[] };
  descriptions?: { action?: Partial<Record<"critical" | "high" | "medium" | "low", "drop" | "strip" | "flag" | "allow">> };
  pins?: { mode?: "allow" | "block" | "review"; store?: "file" };
  publicUrl?: string;
}

/** A configured `injection.classifier`, defaults applied and paths absolute (docs/injection.md). */
export interface InjectionClassifierPolicy {
  /** Absolute path of the .onnx model. */
  model: string;
  /** Absolute path of the model's tokenizer.json. */
  tokenizer: string;
  /** Injection probability at or above which a text is an injection (0..1). */
  threshold: number;
  /** Output labels that mean injection (indices, or names from config.json's id2label); absent: inferred. */
  injectionLabels?: readonly (number | string)[];
  /** Tokens per window, special tokens included. */
  maxLength: number;
  /** Scoring budget per message; past it the call rejects and the layer denies. */
  timeoutMs: number;
}

export type { ArgumentRule, Operation, ToolPolicy, TrustLevel };
