import { describe, expect, it } from "vitest";
import type { ServerPolicy, ToolPolicy } from "../../../src/config/server-policy.js";
import { callerOf, MAX_TOOLS_PER_MEMO, rateLimitRules, toolRatePerMinute, type ScopedRule } from "../../../src/layers/rate-limit/rate-limit-rules.js";
import { SessionState, type Principal } from "../../../src/pipeline/session-state.js";
import { policyOf } from "../../helpers/policy.js";

// The rules built from scratch, as rateLimitRules did before it memoised them.
function fresh(server: ServerPolicy, session: SessionState, tool: string | undefined, windowMs: number): ScopedRule[] {
  const enc = encodeURIComponent;
  const caller = callerOf(session);
  const rules: ScopedRule[] = [];
  const p = session.principal;
  if (p?.ratePerMinute !== undefined) rules.push({ scope: "principal", key: `principal:${enc(p.kind)}:${enc(p.id)}`, limit: p.ratePerMinute, windowMs });
  rules.push({ scope: "server", key: `server:${enc(server.name)}:${enc(caller)}`, limit: server.ratePerMinute, windowMs });
  const perTool = tool === undefined ? undefined : toolRatePerMinute(server, tool);
  if (tool !== undefined && perTool !== undefined) rules.push({ scope: "tool", key: `tool:${enc(server.name)}:${enc(tool)}:${enc(caller)}`, limit: perTool, windowMs });
  return rules;
}

const withToolRates = (p: ServerPolicy, rates: Record<string, unknown>): ServerPolicy => ({
  ...p,
  tools: { ...p.tools, policies: Object.fromEntries(Object.entries(rates).map(([t, r]) => [t, { rate_per_minute: r } as ToolPolicy])) },
});
const key = (id: string, ratePerMinute?: number): Principal => ({ kind: "api_key", id, scopes: ["*"], ratePerMinute });
const sessionOf = (caller?: string, principal?: Principal) => {
  const s = new SessionState();
  s.caller = caller;
  s.principal = principal;
  return s;
};

describe("rateLimitRules memoisation", () => {
  it("builds the rules once per policy object, session and tool, frozen", () => {
    const server = withToolRates(policyOf({}, "files/main"), { "read file": 5 });
    const s = sessionOf("local:alice bob");
    const a = rateLimitRules(server, s, "read file", 60_000);
    expect(a).toEqual(fresh(server, s, "read file", 60_000));
    expect(a.map((r) => r.key)).toEqual(["server:files%2Fmain:caller%3Alocal%3Aalice%20bob", "tool:files%2Fmain:read%20file:caller%3Alocal%3Aalice%20bob"]);
    expect(rateLimitRules(server, s, "read file", 60_000)).toBe(a);
    expect(Object.isFrozen(a) && a.every((r) => Object.isFrozen(r))).toBe(true);
    // Another tool, no tool at all: their own entries, each reused.
    const b = rateLimitRules(server, s, "other", 60_000);
    const c = rateLimitRules(server, s, undefined, 60_000);
    expect(b).toEqual(fresh(server, s, "other", 60_000));
    expect(c).toEqual(fresh(server, s, undefined, 60_000));
    expect(rateLimitRules(server, s, "other", 60_000)).toBe(b);
    expect(rateLimitRules(server, s, undefined, 60_000)).toBe(c);
    expect(rateLimitRules(server, s, "read file", 60_000)).toBe(a);
  });

  it("a new policy object, window, caller, principal or tool rate gives new rules", () => {
    const server = withToolRates(policyOf({ rate_limit: { per_minute: 10 } }), { t: 5 });
    const s = sessionOf("local:a");
    const check = (srv: ServerPolicy, windowMs = 60_000) => {
      const got = rateLimitRules(srv, s, "t", windowMs);
      expect(got).toEqual(fresh(srv, s, "t", windowMs));
      return got;
    };
    const first = check(server);

    // A reloaded policy is a new object: its own rules (and the old object's entry is left alone).
    const reloaded = withToolRates({ ...server, ratePerMinute: 20 }, { t: 7 });
    expect(check(reloaded).map((r) => r.limit)).toEqual([20, 7]);
    expect(rateLimitRules(server, s, "t", 60_000)).toBe(first);

    // The same object changed in place is noticed too.
    const mutable = withToolRates(policyOf({ rate_limit: { per_minute: 10 } }), { t: 5 });
    const before = check(mutable);
    mutable.ratePerMinute = 11;
    expect(check(mutable).map((r) => r.limit)).toEqual([11, 5]);
    (mutable.tools.policies.t as Record<string, unknown>).rate_per_minute = 6;
    expect(check(mutable).map((r) => r.limit)).toEqual([11, 6]);
    delete (mutable.tools.policies.t as Record<string, unknown>).rate_per_minute;
    expect(check(mutable).map((r) => r.scope)).toEqual(["server"]);
    mutable.name = "renamed";
    expect(check(mutable)[0]!.key).toBe("server:renamed:caller%3Alocal%3Aa");
    expect(check(mutable, 1000)[0]!.windowMs).toBe(1000);
    expect(check(mutable)).not.toBe(before);

    // The session's identity: caller, then a principal, its rate, a different key.
    s.caller = "local:b";
    expect(check(server)[0]!.key).toBe("server:srv:caller%3Alocal%3Ab");
    s.principal = key("k1");
    expect(check(server).map((r) => r.scope)).toEqual(["server", "tool"]);
    expect(check(server)[0]!.key).toBe("server:srv:api_key%3Ak1");
    s.principal.ratePerMinute = 3;
    expect(check(server).map((r) => [r.scope, r.limit])).toEqual([["principal", 3], ["server", 10], ["tool", 5]]);
    s.principal = key("k2", 3);
    expect(check(server)[0]!.key).toBe("principal:api_key:k2");
    s.principal = undefined;
    expect(check(server)[0]!.key).toBe("server:srv:caller%3Alocal%3Ab");

    // Two sessions on one policy never share rules.
    const other = sessionOf("local:c");
    expect(rateLimitRules(server, other, "t", 60_000)[0]!.key).toBe("server:srv:caller%3Alocal%3Ac");
  });

  it("still fails closed when a rate turns invalid after its rules were cached", () => {
    const server = withToolRates(policyOf({}), { t: 5 });
    const s = sessionOf(undefined, key("k", 2));
    rateLimitRules(server, s, "t", 60_000);
    (server.tools.policies.t as Record<string, unknown>).rate_per_minute = "5";
    expect(() => rateLimitRules(server, s, "t", 60_000)).toThrow(/rate_per_minute must be a positive integer/);
    (server.tools.policies.t as Record<string, unknown>).rate_per_minute = 5;
    s.principal!.ratePerMinute = 0;
    expect(() => rateLimitRules(server, s, "t", 60_000)).toThrow(/invalid rate/);
  });

  it("keeps at most MAX_TOOLS_PER_MEMO tools per session (tool names come from callers)", () => {
    const server = policyOf({});
    const s = sessionOf("local:a");
    const first = rateLimitRules(server, s, "t0", 60_000);
    for (let i = 1; i < MAX_TOOLS_PER_MEMO; i++) rateLimitRules(server, s, `t${i}`, 60_000);
    expect(rateLimitRules(server, s, "t0", 60_000)).toBe(first); // still cached: the cache is full, not over
    rateLimitRules(server, s, "one-too-many", 60_000);
    const again = rateLimitRules(server, s, "t0", 60_000);
    expect(again).not.toBe(first); // the cache was emptied rather than grown
    expect(again).toEqual(first);
  });
});
