import path from "node:path";
import { BUILTIN_DEFAULTS, CLASSIFIER_DEFAULTS } from "./builtin-defaults.js";
import type { RawConfig, RawInjectionClassifier, RawServer, TrustLevel } from "./schema.js";
import type { InjectionClassifierPolicy, ServerPolicy } from "./server-policy.js";

/**
 * Merges built-in defaults, the config's `defaults:` and one server entry into its effective
 * policy. Explicit settings win over trust-derived defaults; relative paths resolve against the
 * config file's directory (desktop clients start us from arbitrary working directories).
 */
export function resolveServerPolicy(name: string, raw: RawServer, defaults: RawConfig["defaults"], baseDir: string): ServerPolicy {
  const d = { ...BUILTIN_DEFAULTS, ...stripUndefined(defaults ?? {}) };
  const s = { ...d, ...stripUndefined(raw) };
  const tools = raw.tools ?? {};
  const command = typeof raw.command === "string" ? raw.command.split(/\s+/).filter(Boolean) : raw.command;
  return {
    name,
    trust: s.trust,
    command,
    url: raw.url,
    env: raw.env,
    // A configured command runs beside its config file, so relative script paths work from any cwd.
    cwd: raw.cwd !== undefined ? path.resolve(baseDir, raw.cwd) : raw.command !== undefined ? baseDir : undefined,
    headers: raw.headers,
    requireHttps: s.require_https,
    maxResponseBytes: Math.round(s.max_response_kb * 1024),
    maxRequestBytes: Math.round(s.max_request_kb * 1024),
    timeoutMs: Math.round(s.timeout_s * 1000),
    ratePerMinute: s.rate_limit.per_minute,
    audit: {
      allCalls: raw.audit?.all_calls ?? defaults?.audit?.all_calls ?? BUILTIN_DEFAULTS.audit.all_calls,
      zdr: raw.audit?.zdr ?? defaults?.audit?.zdr ?? BUILTIN_DEFAULTS.audit.zdr,
      sensitivity: raw.audit?.sensitivity ?? defaults?.audit?.sensitivity,
      results: raw.audit?.results ?? defaults?.audit?.results,
    },
    injection: resolveInjectionPolicy(s.trust, defaults?.injection, raw.injection, baseDir),
    redaction: resolveRedactionPolicy(defaults?.redaction, raw.redaction),
    tools: {
      allow: tools.allow,
      deny: tools.deny ?? [],
      requirePrefix: tools.require_prefix,
      maxTools: tools.max_tools,
      readOnly: tools.read_only ?? [],
      sideEffects: tools.side_effects ?? [],
      policies: tools.policies ?? {},
    },
    methods: { deny: raw.methods?.deny ?? [] },
    descriptions: { action: { ...stripUndefined(defaults?.descriptions?.action ?? {}), ...stripUndefined(raw.descriptions?.action ?? {}) } },
    pins: { ...stripUndefined(defaults?.pins ?? {}), ...stripUndefined(raw.pins ?? {}) },
    publicUrl: raw.public_url,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

type RawRedaction = NonNullable<RawServer["redaction"]>;

/** Server redaction over `defaults:` over built-ins; `hash_key` becomes `hashKey`. */
function resolveRedactionPolicy(defaults: RawRedaction | undefined, own: RawRedaction | undefined): ServerPolicy["redaction"] {
  const merged = { ...stripUndefined(defaults ?? {}), ...stripUndefined(own ?? {}) };
  const { hash_key, ...rest } = merged;
  return { ...BUILTIN_DEFAULTS.redaction, ...rest, ...(hash_key !== undefined ? { hashKey: hash_key } : {}) };
}

type RawInjection = NonNullable<RawServer["injection"]>;

/**
 * Server `injection` over `defaults:` over built-ins (untrusted servers withhold). The classifier is
 * taken whole from the server, else from `defaults:` (no key-by-key merge: a model and its tokenizer
 * belong together); `classifier: false` on a server turns an inherited one off.
 */
function resolveInjectionPolicy(trust: TrustLevel, defaults: RawInjection | undefined, own: RawInjection | undefined, baseDir: string): ServerPolicy["injection"] {
  const { classifier: ownClassifier, ...ownRest } = own ?? {};
  const { classifier: defaultClassifier, ...defaultRest } = defaults ?? {};
  const policy: ServerPolicy["injection"] = {
    ...BUILTIN_DEFAULTS.injection,
    // Trust table: untrusted servers' suspicious output is withheld rather than merely blocked.
    ...(trust === "untrusted" ? { action: "withhold" as const } : {}),
    ...stripUndefined(defaultRest),
    ...stripUndefined(ownRest),
  };
  const raw = ownClassifier ?? defaultClassifier;
  // Only when configured: the layer's synchronous path checks for the key's absence.
  if (raw) policy.classifier = resolveClassifierPolicy(raw, baseDir);
  return policy;
}

/** Defaults applied, paths made absolute against the config file's directory. */
export function resolveClassifierPolicy(raw: RawInjectionClassifier, baseDir: string): InjectionClassifierPolicy {
  return {
    model: path.resolve(baseDir, raw.model),
    tokenizer: path.resolve(baseDir, raw.tokenizer),
    threshold: raw.threshold ?? CLASSIFIER_DEFAULTS.threshold,
    ...(raw.injection_labels !== undefined ? { injectionLabels: raw.injection_labels } : {}),
    maxLength: raw.max_length ?? CLASSIFIER_DEFAULTS.maxLength,
    timeoutMs: raw.timeout_ms ?? CLASSIFIER_DEFAULTS.timeoutMs,
  };
}
