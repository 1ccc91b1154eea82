import type { ServerPolicy } from "../../config/server-policy.js";
import { matchesAny } from "../../protocol/glob-set.js";
import type { RedactionOptions } from "./redaction-options.js";
import { createTextRedactor, type TextRedactor } from "./redact-text.js";

/** What to do with a secret found in outgoing `tools/call` arguments. */
export type OutboundMode = "off" | "block" | "redact" | "warn";
export const OUTBOUND_MODES: readonly OutboundMode[] = ["off", "block", "redact", "warn"];

/** A server's (or one tool's) effective redaction settings, compiled. */
export interface ResolvedRedaction {
  readonly redactor: TextRedactor;
  readonly outbound: OutboundMode;
}

type Raw = Record<string, unknown>;
const strings = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined);
const bool = (v: unknown) => (typeof v === "boolean" ? v : undefined);
const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
const mode = (v: unknown) => (OUTBOUND_MODES.includes(v as OutboundMode) ? (v as OutboundMode) : undefined);

/**
 * Overlays the fields `raw` sets on `base`. Beyond the schema's `keys` and `text`, reads the
 * optional `keep`, `pii`, `hashKey`, `outbound` defensively (they may not be in the schema yet).
 */
function overlay(base: RedactionOptions & { outbound: OutboundMode }, raw: Raw): RedactionOptions & { outbound: OutboundMode } {
  return {
    keys: strings(raw.keys) ?? base.keys,
    keep: strings(raw.keep) ?? base.keep,
    text: bool(raw.text) ?? base.text,
    pii: bool(raw.pii) ?? base.pii,
    hashKey: str(raw.hashKey) ?? base.hashKey,
    outbound: mode(raw.outbound) ?? base.outbound,
  };
}

const cache = new WeakMap<object, Map<string, ResolvedRedaction>>();
const patternLists = new Map<string, readonly string[]>();

/**
 * The redaction settings for `server`, and for `tool` when `server.redaction.tools` has an entry
 * whose name or glob matches it (per-tool overrides: `tools: { send_email: { outbound: block } }`).
 * `fallback` supplies what the policy leaves unset (the layer's factory options). Compiled once per
 * policy object and tool name.
 */
export function resolveRedaction(server: ServerPolicy, tool: string | undefined, fallback: RedactionOptions & { outbound: OutboundMode }): ResolvedRedaction {
  const raw = server.redaction as unknown as Raw;
  let perPolicy = cache.get(raw);
  if (!perPolicy) cache.set(raw, (perPolicy = new Map()));
  const slot = tool ?? "";
  const hit = perPolicy.get(slot);
  if (hit) return hit;

  let eff = overlay(fallback, raw);
  const tools = raw.tools;
  if (tool !== undefined && typeof tools === "object" && tools !== null) {
    for (const [pattern, o] of Object.entries(tools as Raw)) {
      if (typeof o !== "object" || o === null) continue;
      let list = patternLists.get(pattern);
      if (!list) patternLists.set(pattern, (list = [pattern]));
      if (pattern === tool || matchesAny(list, tool)) eff = overlay(eff, o as Raw);
    }
  }
  const { outbound, ...options } = eff;
  const resolved = { redactor: createTextRedactor(options), outbound };
  if (perPolicy.size < 1000) perPolicy.set(slot, resolved);
  return resolved;
}
