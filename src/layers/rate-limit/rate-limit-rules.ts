import type { ServerPolicy } from "../../config/server-policy.js";
import type { SessionState } from "../../pipeline/session-state.js";
import type { RateLimitRule } from "../../store/rate-limit-rule.js";

export type RateLimitScope = "principal" | "server" | "tool";

export interface ScopedRule extends RateLimitRule {
  scope: RateLimitScope;
}

/**
 * Who a call counts against: the authenticated principal, else the transport's caller identity
 * ("local:<user>" over stdio), else the session. Prefixed so the kinds can never collide.
 */
export function callerOf(session: SessionState): string {
  const p = session.principal;
  if (p) return `${p.kind}:${p.id}`;
  if (session.caller) return `caller:${session.caller}`;
  return `session:${session.id}`;
}

/**
 * The per-tool limit, read defensively: `tools.policies[tool].rate_per_minute` (a schema addition;
 * docs/api-keys.md). A present but invalid value throws, so the layer fails closed.
 */
export function toolRatePerMinute(server: ServerPolicy, tool: string): number | undefined {
  const policy = server.tools.policies[tool] as Record<string, unknown> | undefined;
  const v = policy?.rate_per_minute;
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
    throw new Error(`servers.${server.name}.tools.policies.${tool}.rate_per_minute must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

const enc = encodeURIComponent;

/**
 * The limits one `tools/call` counts against, each a token bucket per window:
 * - per principal: the key's own rate (`keys create --rate`), across every server;
 * - per server and caller: the server's `rate_limit.per_minute` (default 60);
 * - per tool and caller: the tool's `rate_per_minute`, when set.
 */
export function rateLimitRules(server: ServerPolicy, session: SessionState, tool: string | undefined, windowMs: number): ScopedRule[] {
  const caller = callerOf(session);
  const rules: ScopedRule[] = [];
  const p = session.principal;
  if (p?.ratePerMinute !== undefined) {
    if (!Number.isSafeInteger(p.ratePerMinute) || p.ratePerMinute < 1) throw new Error(`principal ${p.id} has an invalid rate ${p.ratePerMinute}`);
    rules.push({ scope: "principal", key: `principal:${enc(p.kind)}:${enc(p.id)}`, limit: p.ratePerMinute, windowMs });
  }
  rules.push({ scope: "server", key: `server:${enc(server.name)}:${enc(caller)}`, limit: server.ratePerMinute, windowMs });
  if (tool !== undefined) {
    const perTool = toolRatePerMinute(server, tool);
    if (perTool !== undefined) rules.push({ scope: "tool", key: `tool:${enc(server.name)}:${enc(tool)}:${enc(caller)}`, limit: perTool, windowMs });
  }
  return rules;
}
