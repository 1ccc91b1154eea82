import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { startGateway, type Gateway } from "../../src/transport/http/gateway.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { EVERYTHING } from "../helpers/wrap-harness.js";
import { tmpStateDir } from "../helpers/temp-dir.js";

// The real SDK Streamable HTTP client -> `serve` -> the real server-everything over stdio.
describe("serve: Streamable HTTP gateway (2025-11-25 sessions)", () => {
  let gw: Gateway;
  const audit = new MemoryAudit();
  beforeAll(async () => {
    const server = resolveServerPolicy("everything", {
      command: EVERYTHING, trust: "medium", max_request_kb: 64,
      tools: { deny: ["get-env"], policies: { "trigger-long-running-operation": { approval: "never" } } },
    }, undefined, process.cwd());
    gw = await startGateway({ routes: new Map([["everything", { server, pipeline: new Pipeline(defaultLayers(server, { stateDir: tmpStateDir() })) }]]), audit, host: "127.0.0.1", port: 0, log: () => {} });
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

  it("with a single server, /mcp is an alias of /mcp/<server> (the MCP Inspector assumes /mcp)", async () => {
    const c = new Client({ name: "alias", version: "1" });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`)));
    try {
      expect((await c.callTool({ name: "echo", arguments: { message: "alias" } })).content).toEqual([{ type: "text", text: "Echo: alias" }]);
    } finally {
      await c.close();
    }
  });

  it("serves an unauthenticated, content-free /health and a /ready report", async () => {
    const h = await fetch(`${gw.url}/health`);
    expect(h.status).toBe(204);
    expect(await h.text()).toBe("");
    expect(await (await fetch(`${gw.url}/ready`)).json()).toMatchObject({ ready: true, servers: ["everything"] });
  });
});

describe("serve: stateless 2026-07-28 requests", () => {
  let gw: Gateway;
  beforeAll(async () => {
    const server = resolveServerPolicy("everything", { command: EVERYTHING, trust: "medium", tools: { deny: ["get-env"] } }, undefined, process.cwd());
    gw = await startGateway({ routes: new Map([["everything", { server, pipeline: new Pipeline(defaultLayers(server, { stateDir: tmpStateDir() })) }]]), audit: new MemoryAudit(), host: "127.0.0.1", port: 0, log: () => {} });
  });
  afterAll(async () => gw?.close());

  it("serves the v2 SDK client pinned to 2026-07-28, bridging to a 2025-era upstream", async () => {
    const { Client: V2Client } = await import("@modelcontextprotocol/client");
    const { StreamableHTTPClientTransport: V2Http } = await import("@modelcontextprotocol/client");
    const c = new V2Client({ name: "modern-http", version: "1" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    await c.connect(new V2Http(new URL(`${gw.url}/mcp/everything`)));
    try {
      expect(c.getNegotiatedProtocolVersion()).toBe("2026-07-28");
      const names = (await c.listTools()).tools.map((t) => t.name);
      expect(names).toContain("echo");
      expect(names).not.toContain("get-env");
      expect((await c.callTool({ name: "echo", arguments: { message: "stateless" } })).content).toEqual([{ type: "text", text: "Echo: stateless" }]);
      expect(await c.callTool({ name: "get-env", arguments: {} })).toMatchObject({ isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } });
    } finally {
      await c.close();
    }
  });

  const meta = (v = "2026-07-28") => ({ "io.modelcontextprotocol/protocolVersion": v, "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, "io.modelcontextprotocol/clientCapabilities": {} });
  const post = (body: unknown, headers: Record<string, string>) =>
    fetch(`${gw.url}/mcp/everything`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: JSON.stringify(body) });

  it("rejects header/body mismatch with 400 -32020 and unsupported versions with -32022", async () => {
    const mismatch = await post({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", _meta: meta() } }, { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list" });
    expect(mismatch.status).toBe(400);
    expect((await mismatch.json()).error.code).toBe(-32020);
    const old = await post({ jsonrpc: "2.0", id: 2, method: "tools/list", params: { _meta: meta("2099-01-01") } }, { "mcp-protocol-version": "2099-01-01", "mcp-method": "tools/list" });
    expect(old.status).toBe(400);
    expect(await old.json()).toMatchObject({ id: 2, error: { code: -32022, data: { requested: "2099-01-01" } } });
  });

  it("answers server/discover and maps unknown methods to 404", async () => {
    const d = await post({ jsonrpc: "2.0", id: 3, method: "server/discover", params: { _meta: meta() } }, { "mcp-protocol-version": "2026-07-28", "mcp-method": "server/discover" });
    expect(await d.json()).toMatchObject({ id: 3, result: { supportedVersions: ["2026-07-28"], resultType: "complete", capabilities: { tools: expect.any(Object) } } });
    const u = await post({ jsonrpc: "2.0", id: 4, method: "no/such", params: { _meta: meta() } }, { "mcp-protocol-version": "2026-07-28", "mcp-method": "no/such" });
    expect(u.status).toBe(404);
    expect(await u.json()).toMatchObject({ id: 4, error: { code: -32601 } });
  });

  it("keeps concurrent callers' identical ids apart", async () => {
    const call = (msg: string) => post({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "echo", arguments: { message: msg }, _meta: meta() } }, { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "echo" }).then((r) => r.json());
    const replies = await Promise.all(["a", "b", "c", "d"].map(call));
    expect(replies.map((r) => (r as { id: number; result: { content: { text: string }[] } }).result.content[0]!.text)).toEqual(["Echo: a", "Echo: b", "Echo: c", "Echo: d"]);
    expect(replies.every((r) => (r as { id: number }).id === 1)).toBe(true);
  });
});

describe("serve: extra handlers", () => {
  it("mounts extra endpoints after the Origin check and before MCP routing", async () => {
    const server = resolveServerPolicy("everything", { command: EVERYTHING }, undefined, process.cwd());
    const gw = await startGateway({
      routes: new Map([["everything", { server, pipeline: new Pipeline(defaultLayers(server, { stateDir: tmpStateDir() })) }]]),
      audit: new MemoryAudit(), host: "127.0.0.1", port: 0, log: () => {},
      handlers: [(_req, res, url) => (url.pathname === "/hello" ? (res.writeHead(200).end("hi"), true) : false)],
    });
    try {
      expect(await (await fetch(`${gw.url}/hello`)).text()).toBe("hi");
      expect((await fetch(`${gw.url}/hello`, { headers: { origin: "https://evil.example" } })).status).toBe(403);
      expect((await fetch(`${gw.url}/mcp/nope`)).status).toBe(404);
    } finally {
      await gw.close();
    }
  });
});
