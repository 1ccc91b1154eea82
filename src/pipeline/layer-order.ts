/**
 * The one place the order of layers is written down. Custom layers not named here run after the
 * named ones, in registration order.
 *
 * Requests: cheap identity and quota checks first so abusive callers cost little; then what may be
 * called at all (method, tool policy, trust, reviewed descriptions, pinned definitions) before what
 * it is called with (arguments, caps); approval last, so a human is only asked about calls every
 * automatic rule already allows.
 */
export const REQUEST_ORDER = ["identity", "rate-limit", "method-policy", "tool-policy", "server-trust", "description-review", "pins", "arguments", "call-caps", "approval"] as const;

/**
 * Responses: decide what tools exist (policy, trust, caps filter `tools/list`) before reviewing
 * their descriptions and pins; then injection before redaction, so the detector sees the text as
 * the upstream sent it and redaction runs on whatever is finally delivered.
 */
export const RESPONSE_ORDER = ["tool-policy", "server-trust", "call-caps", "description-review", "pins", "injection", "redaction"] as const;

export function orderBy(order: readonly string[]): (a: { name: string }, b: { name: string }) => number {
  const rank = (n: string) => {
    const i = order.indexOf(n);
    return i === -1 ? order.length : i;
  };
  return (a, b) => rank(a.name) - rank(b.name);
}
