import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { startGateway, type Gateway } from "../../src/transport/http/gateway.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { call, FAULTY, refusedCode } from "./fault-helpers.js";

// Upstream faults through `serve` (2025-11-25 sessions, one upstream per session): each POST gets one
// definite answer, the gateway stays up, and a dead upstream ends its session (404 afterwards).
describe("faults: the upstream misbehaves (serve)", () => {
  let gw: Gateway;
  const audit = new MemoryAudit();
  beforeAll(async () => {
    const dir = tmpStateDir();
    const server = resolveServerPolicy("faulty", { command: FAULTY, trust: "verified", timeout_s: 0.5, max_response_kb: 1024 }, undefined, dir);
    gw = await startGateway({ routes: new Map([["faulty", { server, pipeline: new Pipeline(defaultLayers(server, { stateDir: dir })) }]]), audit, host: "127.0.0.1", port: 0, log: () => {} });
  });
  afterAll(async () => gw?.close());

  const post = (body: string, sid?: string) =>
    fetch(`${gw.url}/mcp/faulty`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json", ...(sid ? { "mcp-session-id": sid } : {}) }, body, signal: AbortSignal.timeout(15_000) });
  const session = async () => {
    const r = await post(JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "faults", version: "1" } } }));
    const sid = r.headers.get("mcp-session-id")!;
    await post('{"jsonrpc":"2.0","method":"notifications/initialized"}', sid);
    return sid;
  };

  it("crash mid-reply: the POST gets UPSTREAM_UNAVAILABLE, the session ends (404 after), other sessions and /health are unaffected", async () => {
    const a = await session();
    const b = await session();
    const r = await post(call(1, "partial-crash"), a);
    expect(refusedCode((await r.json()) as Record<string, unknown>)).toBe("UPSTREAM_UNAVAILABLE");
    await new Promise((res) => setTimeout(res, 100));
    expect((await post('{"jsonrpc":"2.0","id":2,"method":"ping"}', a)).status).toBe(404);
    expect(await (await post('{"jsonrpc":"2.0","id":3,"method":"ping"}', b)).json()).toMatchObject({ id: 3, result: {} });
    expect((await fetch(`${gw.url}/health`)).status).toBe(204);
    expect(audit.entries.some((e) => e.event === "upstream_exit")).toBe(true);
    // The crash put the server in backoff (one state per server): a new session is refused with 503 +
    // Retry-After until the delay (0.5 s ± 20 %) has passed, then admitted again.
    const early = await post(JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "faults", version: "1" } } }));
    expect(early.status).toBe(503);
    expect(early.headers.get("retry-after")).toBe("1");
    expect(refusedCode((await early.json()) as Record<string, unknown>)).toBe("UPSTREAM_RESTARTING");
    await new Promise((res) => setTimeout(res, 700));
  });

  it("hang: the POST gets UPSTREAM_TIMEOUT after timeout_s; the session keeps working", async () => {
    const s = await session();
    const r = await post(call("h", "hang"), s);
    expect(refusedCode((await r.json()) as Record<string, unknown>)).toBe("UPSTREAM_TIMEOUT");
    expect(await (await post(call("o", "ok"), s)).json()).toMatchObject({ id: "o", result: { content: [{ text: "fine" }] } });
  });

  it("a 100 MB result is withheld with RESPONSE_TOO_LARGE; garbage, stray and duplicate replies never reach the caller", async () => {
    const s = await session();
    expect(refusedCode((await (await post(call("big", "huge100", { mb: 100 }), s)).json()) as Record<string, unknown>)).toBe("RESPONSE_TOO_LARGE");
    expect(await (await post(call("g", "garbage-mix"), s)).json()).toMatchObject({ id: "g", result: { content: [{ text: "after garbage mix" }] } });
    expect(await (await post(call("t", "twice"), s)).json()).toMatchObject({ id: "t", result: { content: [{ text: "first" }] } });
    expect(await (await post(call("st", "stray"), s)).json()).toMatchObject({ id: "st", result: { content: [{ text: "after stray" }] } });
  }, 30_000);
});
