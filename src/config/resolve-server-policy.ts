import path from "node:path";
import { BUILTIN_DEFAULTS } from "./builtin-defaults.js";
import type { RawConfig, RawServer } from "./schema.js";
import type { ServerPolicy } from "./server-policy.js";

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
    injection: {
      ...BUILTIN_DEFAULTS.injection,
      // Trust table: untrusted servers' suspicious output is withheld rather than merely blocked.
      ...(s.trust === "untrusted" ? { action: "withhold" as const } : {}),
      ...stripUndefined(defaults?.injection ?? {}),
      ...stripUndefined(raw.injection ?? {}),
    },
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
