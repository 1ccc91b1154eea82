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
  for (const [k, x] of Object.entries(v)) {
    const nk = normaliseKey(k);
    out[k] = needles.some((n) => nk.includes(n)) ? "[REDACTED]" : mask(x, needles, depth + 1);
  }
  return out;
}
