/**
 * One limit `Store.hit` enforces under `key`: `limit` events per `windowMs` as a token bucket (GCRA,
 * gcra.ts): a burst of up to `limit`, then one more every `windowMs / limit`.
 */
export interface RateLimitRule {
  /** Counter name, e.g. "server:files:caller:k_12ab". Independent of `get`/`set` keys. */
  key: string;
  /** Events allowed per window; a positive integer. */
  limit: number;
  /** Window length in milliseconds; a positive integer. */
  windowMs: number;
}

/** What `Store.hit` decided. */
export interface RateLimitResult {
  allowed: boolean;
  /** Events still allowed in the current window after this one (smallest across the rules); 0 when denied. */
  remaining: number;
  /** When denied: milliseconds until the event would be allowed (the longest wait across full rules); else 0. */
  retryAfterMs: number;
  /** When denied: the index in `rules` of the rule that needs the longest wait. */
  deniedRule?: number;
}

/** Throws a TypeError when a rule is malformed (a programming error, not a policy decision). */
export function checkRules(rules: readonly RateLimitRule[]): void {
  if (rules.length === 0) throw new TypeError("Store.hit needs at least one rule");
  for (const r of rules) {
    if (typeof r.key !== "string" || r.key === "") throw new TypeError("rate-limit rule key must be a non-empty string");
    if (!Number.isSafeInteger(r.limit) || r.limit < 1) throw new TypeError(`rate-limit rule "${r.key}": limit must be a positive integer, got ${r.limit}`);
    if (!Number.isSafeInteger(r.windowMs) || r.windowMs < 1) throw new TypeError(`rate-limit rule "${r.key}": windowMs must be a positive integer, got ${r.windowMs}`);
  }
}
