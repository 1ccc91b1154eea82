import { runChain } from "../../../src/pipeline/run-chain.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ServerPolicy, ToolPolicy } from "../../../src/config/server-policy.js";
import { createRateLimitLayer } from "../../../src/layers/rate-limit/rate-limit-layer.js";
import { callerOf, rateLimitRules } from "../../../src/layers/rate-limit/rate-limit-rules.js";
import { createToolPolicyLayer } from "../../../src/layers/tool-policy/tool-policy-layer.js";
import type { Decision, DenyDecision } from "../../../src/pipeline/decision.js";
import type { Layer } from "../../../src/pipeline/layer.js";
import { Pipeline } from "../../../src/pipeline/pipeline.js";
import { SessionState, type Principal } from "../../../src/pipeline/session-state.js";
import { RedisStore } from "../../../src/store/redis-store.js";
import { SqliteStore } from "../../../src/store/sqlite-store.js";
import { policyOf } from "../../helpers/policy.js";
import { RedisServer } from "../../store/redis-server.js";

const call = (name: string, id = 1) => ({ jsonrpc: "2.0" as const, id, method: "tools/call", params: { name, arguments: {} } });
const withToolRates = (p: ServerPolicy, rates: Record<string, unknown>): ServerPolicy => ({
  ...p,
  tools: { ...p.tools, policies: Object.fromEntries(Object.entries(rates).map(([t, r]) => [t, { rate_per_minute: r } as ToolPolicy])) },
});
const session = (principal?: Principal, caller?: string) => {
  const s = new SessionState();
  s.principal = principal;
  s.caller = caller;
  return s;
};
const key = (id: string, ratePerMinute?: number): Principal => ({ kind: "api_key", id, scopes: ["*"], ratePerMinute });

async function run(layer: Layer, ctx: { server: ServerPolicy; session: SessionState }, tool: string, n: number): Promise<Decision[]> {
  const out: Decision[] = [];
  for (let i = 0; i < n; i++) out.push(await layer.onRequest!(call(tool, i), ctx));
  return out;
}
const kinds = (ds: Decision[]) => ds.map((d) => d.kind);

let store: SqliteStore;
beforeEach(() => {
  store = new SqliteStore(":memory:");
});
afterEach(() => store.close());

describe("rate-limit layer", () => {
  it("is named rate-limit and inspects tools/call", () => {
    const l = createRateLimitLayer({ store });
    expect(l.name).toBe("rate-limit");
    expect(l.requestMethods).toContain("tools/call");
  });

  it("per server + caller: the server's rate_limit.per_minute (seed default 60)", async () => {
    const layer = createRateLimitLayer({ store });
    const server = policyOf({});
    expect(server.ratePerMinute).toBe(60);
    const ds = await run(layer, { server, session: session(undefined, "local:alice") }, "read_file", 61);
    expect(ds.filter((d) => d.kind === "allow")).toHaveLength(60);
    const last = ds[60]!;
    expect(last).toMatchObject({ kind: "deny", code: "RATE_LIMITED", event: "rate_limited", rule: "rate-limit-server", details: { limit: 60, windowMs: 60_000, scope: "server" } });
    // token bucket: after the burst of 60, one call refills every second
    expect((last as DenyDecision).details!.retryAfterMs as number).toBeGreaterThan(900);
    expect((last as DenyDecision).details!.retryAfterMs as number).toBeLessThanOrEqual(1000);
    expect((last as { reason: string }).reason).toMatch(/at most 60 call\(s\) per minute to server `srv`\. Retry in \d+ s\./);
    // another caller on the same server has its own budget
    expect((await layer.onRequest!(call("read_file"), { server, session: session(undefined, "local:bob") })).kind).toBe("allow");
  });

  it("per principal: the key's rate applies across servers", async () => {
    const layer = createRateLimitLayer({ store });
    const p = key("k1", 3);
    const a = { server: policyOf({}, "a"), session: session(p) };
    const b = { server: policyOf({}, "b"), session: session(p) };
    expect(kinds([...(await run(layer, a, "t", 2)), ...(await run(layer, b, "t", 2))])).toEqual(["allow", "allow", "allow", "deny"]);
    expect(await layer.onRequest!(call("t"), b)).toMatchObject({ rule: "rate-limit-principal", details: { scope: "principal", limit: 3 } });
    expect((await layer.onRequest!(call("t"), b) as { reason: string }).reason).toMatch(/for this API key/);
  });

  it("per tool: tools.policies[tool].rate_per_minute, per caller, other tools unaffected", async () => {
    const layer = createRateLimitLayer({ store });
    const server = withToolRates(policyOf({}), { send_email: 2 });
    const ctx = { server, session: session(undefined, "local:alice") };
    expect(kinds(await run(layer, ctx, "send_email", 3))).toEqual(["allow", "allow", "deny"]);
    expect(await layer.onRequest!(call("send_email"), ctx)).toMatchObject({ code: "RATE_LIMITED", rule: "rate-limit-tool", details: { scope: "tool", limit: 2 } });
    expect((await layer.onRequest!(call("read_file"), ctx)).kind).toBe("allow");
    expect((await layer.onRequest!(call("send_email"), { server, session: session(undefined, "local:bob") })).kind).toBe("allow");
  });

  it("a denied call uses up no limit (all or nothing): the server budget is intact after tool denials", async () => {
    const layer = createRateLimitLayer({ store });
    const server = withToolRates(policyOf({ rate_limit: { per_minute: 5 } }), { send_email: 1 });
    const ctx = { server, session: session(undefined, "local:alice") };
    expect(kinds(await run(layer, ctx, "send_email", 4))).toEqual(["allow", "deny", "deny", "deny"]);
    expect(kinds(await run(layer, ctx, "read_file", 5))).toEqual(["allow", "allow", "allow", "allow", "deny"]);
  });

  it("the window slides: calls are allowed again once old ones age out", async () => {
    const layer = createRateLimitLayer({ store, windowMs: 200 });
    const ctx = { server: policyOf({ rate_limit: { per_minute: 2 } }), session: session(undefined, "local:a") };
    expect(kinds(await run(layer, ctx, "t", 3))).toEqual(["allow", "allow", "deny"]);
    await new Promise((r) => setTimeout(r, 250));
    expect((await layer.onRequest!(call("t"), ctx)).kind).toBe("allow");
  });

  it("caller identity: principal, else transport caller, else session", () => {
    expect(callerOf(session(key("k9")))).toBe("api_key:k9");
    expect(callerOf(session(undefined, "local:alice"))).toBe("caller:local:alice");
    const s = new SessionState("s_1");
    expect(callerOf(s)).toBe("session:s_1");
    const rules = rateLimitRules(withToolRates(policyOf({}), { x: 5 }), session(key("k9", 7)), "x", 60_000);
    expect(rules.map((r) => [r.scope, r.limit])).toEqual([["principal", 7], ["server", 60], ["tool", 5]]);
  });

  it("fails closed: a store that cannot be reached denies with a clear reason", async () => {
    const layer = createRateLimitLayer({ store });
    await store.close();
    const d = await layer.onRequest!(call("t"), { server: policyOf({}), session: session(undefined, "local:a") });
    expect(d).toMatchObject({ kind: "deny", code: "STORE_UNAVAILABLE", rule: "store-unavailable", event: "store_unavailable" });
    expect((d as { reason: string }).reason).toMatch(/rate limits cannot be checked/);
    store = new SqliteStore(":memory:");
  });

  it("fails closed on an invalid per-tool rate (the schema should have caught it)", async () => {
    const layer = createRateLimitLayer({ store });
    const ctx = { server: withToolRates(policyOf({}), { x: "10" }), session: session() };
    await expect(Promise.resolve().then(() => layer.onRequest!(call("x"), ctx))).rejects.toThrow();
    // ...and the runner turns the failure into a denial (fail closed).
    const out = await runChain([layer], call("x") as unknown as Record<string, unknown>, (l, m) => l.onRequest!(m as never, ctx), 1000);
    expect(out).toMatchObject({ kind: "deny", decision: { code: "LAYER_FAILED" } });
  });

  it("runs first-ish in a pipeline (identity, rate-limit, then policy) and its async decision is honoured", async () => {
    const pipeline = new Pipeline([createToolPolicyLayer(), createRateLimitLayer({ store })]);
    expect(pipeline.requestLayers("tools/call").map((l) => l.name)).toEqual(["rate-limit", "tool-policy"]);
    const ctx = { server: policyOf({ rate_limit: { per_minute: 1 } }), session: session(undefined, "local:a") };
    ctx.session.tools.observe([{ name: "t" }], true, true);
    expect((await pipeline.onRequest(call("t"), ctx)).kind).toBe("allow");
    const out = await pipeline.onRequest(call("t"), ctx);
    expect(out).toMatchObject({ kind: "deny", layer: "rate-limit", decision: { code: "RATE_LIMITED" } });
  });
});

describe("rate-limit layer over Redis (two gateway processes)", () => {
  let server: RedisServer;
  const stores: RedisStore[] = [];
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await server?.stop();
  });

  it("two gateways sharing a Redis enforce one per-caller limit; an outage denies, recovery resumes", async () => {
    const a = await RedisStore.open(server.url, { prefix: "layer:" });
    const b = await RedisStore.open(server.url, { prefix: "layer:" });
    stores.push(a, b);
    const gwA = createRateLimitLayer({ store: a });
    const gwB = createRateLimitLayer({ store: b });
    const p = policyOf({ rate_limit: { per_minute: 3 } });
    const ctxA = { server: p, session: session(key("kshared")) };
    const ctxB = { server: p, session: session(key("kshared")) }; // same key, different session/process
    const ds = [await gwA.onRequest!(call("t"), ctxA), await gwB.onRequest!(call("t"), ctxB), await gwA.onRequest!(call("t"), ctxA), await gwB.onRequest!(call("t"), ctxB)];
    expect(kinds(ds)).toEqual(["allow", "allow", "allow", "deny"]);
    expect(ds[3]).toMatchObject({ code: "RATE_LIMITED", details: { scope: "server" } });

    await server.stop();
    expect(await gwA.onRequest!(call("t"), ctxA)).toMatchObject({ kind: "deny", code: "STORE_UNAVAILABLE", rule: "store-unavailable" });
    await server.start();
    const end = Date.now() + 5000;
    let d: Decision = await gwB.onRequest!(call("t"), ctxB);
    while (d.kind === "deny" && d.code === "STORE_UNAVAILABLE" && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      d = await gwB.onRequest!(call("t"), ctxB);
    }
    expect(d.kind).toBe("allow"); // the restarted Redis is empty (--save ''), so the budget starts over
  });
});
