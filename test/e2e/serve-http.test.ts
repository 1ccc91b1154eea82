import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { startGateway, type Gateway } from "../../src/transport/http/gateway.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { EVERYTHING } from "../helpers/wrap-harness.js";

// The real SDK Streamable HTTP client -> `serve` -> the real server-everything over stdio.
describe("serve: Streamable HTTP gateway (2025-11-25 sessions)", () => {
  let gw: Gateway;
  const audit = new MemoryAudit();
  beforeAll(async () => {
    const server = resolveServerPolicy("everything", {
      command: EVERYTHING, trust: "medium", max_request_kb: 64,
      tools: { deny: ["get-env"], policies: { "trigger-long-running-operation": { approval: "never" } } },
    }, undefined, process.cwd());
    gw = await startGateway({ routes: new Map([["everything", { server, pipeline: new Pipeline(defaultLayers(server, { stateDir: "/tmp/unused" })) }]]), audit, host: "127.0.0.1", port: 0, log: () => {} });
  });
  afterAll(async () => gw?.close());

  const connect = async () => {
    const c = new Client({ name: "http-test", version: "1" });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp/everything`)));
    return c;
  };

  it("lists filtered tools, calls, and refuses denied tools through HTTP", async () => {
    const c = await connect();
    try {
      const names = (await c.listTools()).tools.map((t) => t.name);
      expect(names).toContain("echo");
      expect(names).not.toContain("get-env");
      expect((await c.callTool({ name: "echo", arguments: { message: "over http" } })).content).toEqual([{ type: "text", text: "Echo: over http" }]);
      expect(await c.callTool({ name: "get-env", arguments: {} })).toMatchObject({ isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } });
      expect((await c.listResources()).resources.length).toBeGreaterThan(0);
      expect((await c.getPrompt({ name: "simple-prompt" })).messages.length).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });

  it("streams progress notifications over SSE before the result", async () => {
    const c = await connect();
    try {
      const progress: number[] = [];
      const r = await c.callTool({ name: "trigger-long-running-operation", arguments: { duration: 1, steps: 4 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
      expect(r.isError).toBeFalsy();
      expect(progress.length).toBeGreaterThanOrEqual(1);
    } finally {
      await c.close();
    }
  });

  it("keeps sessions apart and ends them on DELETE", async () => {
    const a = await connect();
    const b = await connect();
    expect(gw.sessionCount()).toBeGreaterThanOrEqual(2);
    const sid = (a.transport as StreamableHTTPClientTransport).sessionId!;
    await (a.transport as StreamableHTTPClientTransport).terminateSession();
    const r = await fetch(`${gw.url}/mcp/everything`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": sid }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) });
    expect(r.status).toBe(404);
    expect((await b.callTool({ name: "echo", arguments: { message: "b" } })).content).toEqual([{ type: "text", text: "Echo: b" }]);
    await a.close();
    await b.close();
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}/mcp/everything`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body });

  it("answers bad requests with the right status and a JSON-RPC error", async () => {
    const malformed = await post("{nope");
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe(-32700);
    expect((await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }), { "mcp-session-id": "no-such-session" })).status).toBe(404);
    expect((await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }))).status).toBe(400); // no session, not initialize
    expect((await post(JSON.stringify({ x: "y".repeat(70_000) }))).status).toBe(413);
    const wrongType = await fetch(`${gw.url}/mcp/everything`, { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" });
    expect(wrongType.status).toBe(415);
    const evil = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }), { origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    expect((await evil.json()).error.data.portcullis.code).toBe("ORIGIN_REJECTED");
    expect((await fetch(`${gw.url}/mcp/nope`)).status).toBe(404);
    expect(audit.entries.some((e) => e.event === "origin_rejected")).toBe(true);
  });

  it("serves an unauthenticated, content-free /health and a /ready report", async () => {
    const h = await fetch(`${gw.url}/health`);
    expect(h.status).toBe(204);
    expect(await h.text()).toBe("");
    expect(await (await fetch(`${gw.url}/ready`)).json()).toMatchObject({ ready: true, servers: ["everything"] });
  });
});
