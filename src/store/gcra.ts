import type { RateLimitRule } from "./rate-limit-rule.js";

/**
 * GCRA, the generic cell rate algorithm: a token bucket held as one number per key, the
 * "theoretical arrival time" (TAT). A rule of N per window W admits a burst of N, then refills one
 * call every W/N. Constant time and memory per key whatever the limit, unlike a sliding-window log,
 * whose per-call cost and memory grow with the limit. Both stores apply this same arithmetic
 * (Redis in Lua, mirrored from here).
 */
export interface GcraStep {
  allowed: boolean;
  /** The key's new TAT when allowed (store it, expiring at `newTat`). */
  newTat: number;
  /** Calls still available right after this one. */
  remaining: number;
  /** When denied: milliseconds until one call fits. */
  retryAfterMs: number;
}

// Guards floor() against binary rounding (10000/3 * 3 = 9999.999...).
const EPS = 1e-9;

export function gcraStep(rule: RateLimitRule, storedTat: number | undefined, now: number): GcraStep {
  const interval = rule.windowMs / rule.limit;
  const tat = Math.max(storedTat ?? now, now);
  const newTat = tat + interval;
  const allowAt = newTat - rule.windowMs;
  if (now < allowAt) return { allowed: false, newTat: tat, remaining: 0, retryAfterMs: Math.max(1, Math.ceil(allowAt - now)) };
  return { allowed: true, newTat, remaining: Math.max(0, Math.floor((rule.windowMs - (newTat - now)) / interval + EPS)), retryAfterMs: 0 };
}
