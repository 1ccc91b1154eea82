/**
 * If a reply is a Portcullis rate-limit refusal, the HTTP status and headers it should travel with
 * (429 + Retry-After, as HTTP clients and load balancers expect); otherwise 200.
 */
export function httpStatusOf(msg: Record<string, unknown>): { status: number; headers: Record<string, string> } {
  const meta = ((msg.result as Record<string, unknown> | undefined)?._meta as Record<string, unknown> | undefined)?.portcullis
    ?? ((msg.error as Record<string, unknown> | undefined)?.data as Record<string, unknown> | undefined)?.portcullis;
  const p = meta as { code?: string; retryAfterMs?: number } | undefined;
  if (p?.code !== "RATE_LIMITED") return { status: 200, headers: {} };
  return { status: 429, headers: { "retry-after": String(Math.max(1, Math.ceil((p.retryAfterMs ?? 1000) / 1000))) } };
}
