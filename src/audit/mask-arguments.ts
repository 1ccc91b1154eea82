const MAX_STRING = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 6;

/** Normalised form used to compare key names: `apiKey`, `API-KEY` and `api_key` are all `apikey`. */
export const normaliseKey = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, "");

/**
 * A copy of tool arguments fit for the audit log: values under secret-looking keys masked, long
 * strings and lists truncated, deep nesting cut. Over-masking is fine here; leaking is not.
 */
export function maskArguments(value: unknown, secretKeys: readonly string[]): unknown {
  return mask(value, needlesOf(secretKeys), 0);
}

// A server's key list is one array for the process's life: normalise it once, not on every call.
const NEEDLES = new WeakMap<readonly string[], string[]>();
function needlesOf(secretKeys: readonly string[]): string[] {
  let n = NEEDLES.get(secretKeys);
  if (!n) NEEDLES.set(secretKeys, (n = secretKeys.map(normaliseKey).filter(Boolean)));
  return n;
}

function mask(v: unknown, needles: string[], depth: number): unknown {
  if (typeof v === "string") return v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}…[+${v.length - MAX_STRING} chars]` : v;
  if (typeof v !== "object" || v === null) return v;
  if (depth >= MAX_DEPTH) return "[…nested]";
  if (Array.isArray(v)) {
    const out = v.slice(0, MAX_ITEMS).map((x) => mask(x, needles, depth + 1));
    if (v.length > MAX_ITEMS) out.push(`…[+${v.length - MAX_ITEMS} items]`);
    return out;
  }
  const out: Record<string, unknown> = {};
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) out[k] = isSecretKey(k, needles) ? "[REDACTED]" : mask(o[k], needles, depth + 1);
  return out;
}

function isSecretKey(key: string, needles: string[]): boolean {
  const nk = normalisedOnce(key);
  for (const n of needles) if (nk.includes(n)) return true;
  return false;
}

// Every audited call masks the same few argument names: normalise each name once (lower-casing and a
// regex replace per key per call showed in profiles). Bounded, since names come from callers.
const NORMALISED = new Map<string, string>();
const MAX_NORMALISED = 1024;
function normalisedOnce(key: string): string {
  let nk = NORMALISED.get(key);
  if (nk === undefined) {
    nk = normaliseKey(key);
    if (NORMALISED.size >= MAX_NORMALISED) NORMALISED.clear();
    NORMALISED.set(key, nk);
  }
  return nk;
}
