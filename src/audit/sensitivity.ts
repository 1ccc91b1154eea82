import { maskArguments, normaliseKey } from "./mask-arguments.js";
import { payloadHash } from "./payload-hash.js";

/**
 * How much of a tool's arguments the audit log may keep (config: per tool, default per server):
 *   public        logged     values kept (secret-named keys masked, long values truncated)
 *   internal      redacted   as public, and every string passed through the secret redactor
 *   confidential  hashed     structure and keys kept, every value replaced by a keyed fingerprint
 *   restricted    omitted    only the size (and a fingerprint of the whole, when keyed)
 * ZDR mode overrides all of them with `restricted`: metadata only.
 */
export const SENSITIVITY_LEVELS = ["public", "internal", "confidential", "restricted"] as const;
export type Sensitivity = (typeof SENSITIVITY_LEVELS)[number];

export interface PayloadAuditOptions {
  sensitivity?: Sensitivity;
  /** Zero data retention: nothing from the payload, whatever the sensitivity. */
  zdr?: boolean;
  /** Key names whose values are always masked (redaction.keys). */
  secretKeys?: readonly string[];
  /** Key for fingerprints (the audit HMAC key, or a per-deployment secret). */
  hashKey?: string | Buffer;
  /** Secret detector for free text (the redaction layer's `redact(s).text`); used at `internal`. */
  redactString?: (s: string) => string;
}

/** What `restricted` and ZDR leave of a payload. */
export interface OmittedPayload {
  omitted: Sensitivity | "zdr";
  bytes: number;
  hash?: string;
}

export const DEFAULT_SENSITIVITY: Sensitivity = "internal";

/** Tool arguments as they may appear in the audit line's `args`. Pure; never throws on odd input. */
export function auditArguments(args: unknown, o: PayloadAuditOptions = {}): unknown {
  if (args === undefined) return undefined;
  const level = o.zdr ? "restricted" : (o.sensitivity ?? DEFAULT_SENSITIVITY);
  const secretKeys = o.secretKeys ?? [];
  switch (level) {
    case "public":
      return maskArguments(args, secretKeys);
    case "internal":
      return maskArguments(o.redactString ? mapStrings(args, o.redactString, 0) : args, secretKeys);
    case "confidential":
      return fingerprint(args, secretKeys.map(normaliseKey).filter(Boolean), o.hashKey, 0);
    default:
      return omitted(args, o.zdr ? "zdr" : "restricted", o.hashKey);
  }
}

/** Size (and keyed fingerprint) of a value, for lines that must not carry the value itself. */
export function omitted(value: unknown, why: OmittedPayload["omitted"], hashKey?: string | Buffer): OmittedPayload {
  const text = JSON.stringify(value) ?? "";
  const out: OmittedPayload = { omitted: why, bytes: Buffer.byteLength(text) };
  // Only keyed fingerprints: an unkeyed hash of a short value is reversible by guessing.
  if (hashKey !== undefined && hashKey.length > 0) out.hash = payloadHash(text, hashKey);
  return out;
}

const MAX_DEPTH = 6;
const MAX_ITEMS = 20;

function mapStrings(v: unknown, f: (s: string) => string, depth: number): unknown {
  if (typeof v === "string") return f(v);
  if (typeof v !== "object" || v === null || depth >= MAX_DEPTH) return v;
  if (Array.isArray(v)) return v.slice(0, MAX_ITEMS + 1).map((x) => mapStrings(x, f, depth + 1));
  const out: Record<string, unknown> = {};
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) out[k] = mapStrings(o[k], f, depth + 1);
  return out;
}

function fingerprint(v: unknown, needles: string[], key: string | Buffer | undefined, depth: number): unknown {
  if (v === null || typeof v === "boolean") return v; // no information worth hiding, and keeps reports readable
  if (typeof v !== "object") return `#${payloadHash(v, key)}`;
  if (depth >= MAX_DEPTH) return `#${payloadHash(v, key)}`;
  if (Array.isArray(v)) {
    const out = v.slice(0, MAX_ITEMS).map((x) => fingerprint(x, needles, key, depth + 1));
    if (v.length > MAX_ITEMS) out.push(`…[+${v.length - MAX_ITEMS} items]`);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const nk = normaliseKey(k);
    // Secret-named values are not even fingerprinted: a fingerprint of a password is a password oracle.
    out[k] = needles.some((n) => nk.includes(n)) ? "[REDACTED]" : fingerprint(x, needles, key, depth + 1);
  }
  return out;
}
