import type { ServerPolicy } from "../../config/server-policy.js";
import type { Principal, SessionState } from "../../pipeline/session-state.js";
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
 *
 * The rules (and their percent-encoded keys) are memoised per policy object, session and tool, and
 * the cached list is reused only while every input it was built from is unchanged (see `Memo`), so
 * the hot path builds no strings. The list is frozen: callers and stores only read it.
 */
export function rateLimitRules(server: ServerPolicy, session: SessionState, tool: string | undefined, windowMs: number): readonly ScopedRule[] {
  const memo = memoOf(server, session, windowMs);
  // Read exactly what `toolRatePerMinute` reads, so a changed (or now invalid) tool rate rebuilds.
  const toolRate = tool === undefined ? undefined : (server.tools.policies[tool] as Record<string, unknown> | undefined)?.rate_per_minute;
  const hit = memo.byTool.get(tool);
  if (hit !== undefined && hit.toolRate === toolRate) return hit.rules;
  const rules = buildRules(server, session, tool, windowMs);
  if (memo.byTool.size >= MAX_TOOLS_PER_MEMO) memo.byTool.clear();
  memo.byTool.set(tool, { toolRate, rules });
  return rules;
}

function buildRules(server: ServerPolicy, session: SessionState, tool: string | undefined, windowMs: number): readonly ScopedRule[] {
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
  for (const r of rules) Object.freeze(r);
  return Object.freeze(rules);
}

/**
 * The rules built for one (policy object, session): valid while the window, the server's name and
 * rate, and the session's caller identity and principal (kind, id, rate) are what they were built
 * from; per tool, also while the tool's `rate_per_minute` is. Anything else changed: rebuilt.
 */
interface Memo {
  readonly windowMs: number;
  readonly name: string;
  readonly serverRate: number;
  readonly caller: string | undefined;
  readonly principal: Principal | undefined;
  readonly kind: string | undefined;
  readonly id: string | undefined;
  readonly principalRate: number | undefined;
  readonly byTool: Map<string | undefined, { readonly toolRate: unknown; readonly rules: readonly ScopedRule[] }>;
}

/** Tool names come from callers: bound the per-session cache (cleared when full). */
export const MAX_TOOLS_PER_MEMO = 256;

// Per policy object, then per session: both are weak, so neither outlives its owner.
const memos = new WeakMap<ServerPolicy, WeakMap<SessionState, Memo>>();

function memoOf(server: ServerPolicy, session: SessionState, windowMs: number): Memo {
  let perSession = memos.get(server);
  if (perSession === undefined) memos.set(server, (perSession = new WeakMap()));
  const p = session.principal;
  const m = perSession.get(session);
  if (
    m !== undefined &&
    m.windowMs === windowMs &&
    m.name === server.name &&
    m.serverRate === server.ratePerMinute &&
    m.caller === session.caller &&
    m.principal === p &&
    (p === undefined || (m.kind === p.kind && m.id === p.id && m.principalRate === p.ratePerMinute))
  ) {
    return m;
  }
  const fresh: Memo = {
    windowMs,
    name: server.name,
    serverRate: server.ratePerMinute,
    caller: session.caller,
    principal: p,
    kind: p?.kind,
    id: p?.id,
    principalRate: p?.ratePerMinute,
    byTool: new Map(),
  };
  perSession.set(session, fresh);
  return fresh;
}
