import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateMessageRequestSchema, ListRootsRequestSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { startGateway, type AuthResult, type Gateway, type GatewayRoute } from "../../src/transport/http/gateway.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { EVERYTHING, ROOT } from "../helpers/wrap-harness.js";

const FAULTY = [process.execPath, path.join(ROOT, "test/fixtures/servers/faulty-server.mjs")];

function routes(): Map<string, GatewayRoute> {
  const everything = resolveServerPolicy("everything", {
    command: EVERYTHING, trust: "medium",
    tools: { deny: ["get-env"], policies: { "trigger-long-running-operation": { approval: "never" }, "trigger-sampling-request": { approval: "never" }, "get-roots-list": { approval: "never" } } },
  }, undefined, process.cwd());
  const faulty = resolveServerPolicy("faulty", { command: FAULTY, trust: "medium", tools: { deny: ["garbage"] } }, undefined, process.cwd());
  const stateDir = tmpStateDir();
  return new Map([everything, faulty].map((s) => [s.name, { server: s, pipeline: new Pipeline(defaultLayers(s, { stateDir })) }]));
}

// The real SDK Streamable HTTP client -> `serve`'s aggregated /mcp -> server-everything and a fixture server over stdio.
describe("serve: the aggregated /mcp endpoint (2025-11-25 sessions)", () => {
  let gw: Gateway;
  const audit = new MemoryAudit();
  beforeAll(async () => {
    gw = await startGateway({ routes: routes(), audit, host: "127.0.0.1", port: 0, log: () => {} });
  });
  afterAll(async () => gw?.close());

  const connect = async (capabilities: Record<string, unknown> = {}) => {
    const c = new Client({ name: "aggregate-test", version: "1" }, { capabilities });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`)));
    return c;
  };

  it("initializes as one server and lists every server's filtered tools under <server>__<tool>", async () => {
    const c = await connect();
    try {
      expect(c.getServerVersion()).toMatchObject({ name: "portcullis" });
      expect(c.getServerCapabilities()).toMatchObject({ tools: { listChanged: true }, prompts: {}, resources: {} });
      const names = (await c.listTools()).tools.map((t) => t.name);
      expect(names).toContain("everything__echo");
      expect(names).toContain("faulty__ok");
      expect(names).not.toContain("everything__get-env"); // denied by everything's tool policy
      expect(names).not.toContain("faulty__garbage"); // denied by faulty's
      expect(names.every((n) => /^(everything|faulty)__[A-Za-z0-9_.-]+$/.test(n))).toBe(true);
      await c.ping();
    } finally {
      await c.close();
    }
  });

  it("routes calls to the owning server under the original name; results come back unchanged", async () => {
    const c = await connect();
    try {
      expect((await c.callTool({ name: "everything__echo", arguments: { message: "via /mcp" } })).content).toEqual([{ type: "text", text: "Echo: via /mcp" }]);
      expect((await c.callTool({ name: "faulty__ok", arguments: {} })).content).toEqual([{ type: "text", text: "fine" }]);
      const sum = await c.callTool({ name: "everything__get-sum", arguments: { a: 2, b: 3 } });
      expect(JSON.stringify(sum.content)).toContain("5");
    } finally {
      await c.close();
    }
  });

  it("refuses a tool the server's policy denies, through that server's relay, and audits it", async () => {
    const c = await connect();
    try {
      expect(await c.callTool({ name: "everything__get-env", arguments: {} })).toMatchObject({ isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } });
      expect(audit.entries.some((e) => e.server === "everything" && e.tool === "get-env" && e.code === "TOOL_DENIED" && e.decision === "deny")).toBe(true);
    } finally {
      await c.close();
    }
  });

  it("refuses unknown prefixes and names without <server>__ like an unknown tool, audited", async () => {
    const c = await connect();
    try {
      for (const name of ["nosuch__echo", "echo", "__echo", "everything__"]) {
        const r = await c.callTool({ name, arguments: {} });
        expect(r).toMatchObject({ isError: true, _meta: { portcullis: { code: "UNKNOWN_TOOL", layer: "aggregate", auditId: expect.any(String) } } });
        expect(audit.entries.some((e) => e.layer === "aggregate" && e.tool === name && e.code === "UNKNOWN_TOOL")).toBe(true);
      }
      expect(JSON.stringify((await c.callTool({ name: "nosuch__echo", arguments: {} })).content)).toContain('no server reachable here is called \\"nosuch\\"');
    } finally {
      await c.close();
    }
  });

  it("namespaces prompts, merges resources and routes reads by the server that listed the URI", async () => {
    const c = await connect();
    try {
      const prompts = (await c.listPrompts()).prompts.map((p) => p.name);
      expect(prompts).toContain("everything__simple-prompt");
      expect((await c.getPrompt({ name: "everything__simple-prompt" })).messages.length).toBeGreaterThan(0);
      await expect(c.getPrompt({ name: "faulty__simple-prompt" })).rejects.toThrow();
      const resources = (await c.listResources()).resources;
      expect(resources.length).toBeGreaterThan(0);
      const read = await c.readResource({ uri: resources[0]!.uri });
      expect(read.contents[0]!.uri).toBe(resources[0]!.uri);
      await expect(c.readResource({ uri: "nowhere://nothing" })).rejects.toThrow(/no server reachable here lists it/);
      expect((await c.listResourceTemplates()).resourceTemplates.length).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });

  it("streams progress, and relays server requests (sampling, roots) to the client and the answers back", async () => {
    const c = await connect({ sampling: {}, roots: { listChanged: true } });
    try {
      const progress: number[] = [];
      const r = await c.callTool({ name: "everything__trigger-long-running-operation", arguments: { duration: 1, steps: 4 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
      expect(r.isError).toBeFalsy();
      expect(progress.length).toBeGreaterThanOrEqual(1);

      const asked: string[] = [];
      c.setRequestHandler(CreateMessageRequestSchema, async (req) => {
        asked.push(JSON.stringify(req.params.messages));
        return { model: "test-model", role: "assistant", content: { type: "text", text: "forty-two" } };
      });
      c.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: "file:///aggregate-root", name: "agg" }] }));
      const names = (await c.listTools()).tools.map((t) => t.name);
      expect(names).toContain("everything__trigger-sampling-request"); // registered because our initialize carried sampling
      const s = await c.callTool({ name: "everything__trigger-sampling-request", arguments: { prompt: "meaning?" } });
      expect(asked.join()).toContain("meaning?");
      expect(JSON.stringify(s.content)).toContain("forty-two");
      const roots = await c.callTool({ name: "everything__get-roots-list", arguments: {} });
      expect(JSON.stringify(roots.content)).toContain("aggregate-root");
    } finally {
      await c.close();
    }
  });

  it("a crashed server does not take the others down: its call gets a clear error, its tools leave the list", async () => {
    const c = await connect();
    try {
      await c.listTools();
      let changed = 0;
      c.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
      const crashed = await c.callTool({ name: "faulty__crash", arguments: {} });
      expect(crashed).toMatchObject({ isError: true, _meta: { portcullis: { code: "UPSTREAM_UNAVAILABLE" } } });
      // The client hears (on its GET stream) that the merged list changed.
      await expect.poll(() => changed, { timeout: 3000 }).toBeGreaterThanOrEqual(1);
      expect((await c.callTool({ name: "everything__echo", arguments: { message: "still here" } })).content).toEqual([{ type: "text", text: "Echo: still here" }]);
      const names = (await c.listTools()).tools.map((t) => t.name);
      expect(names).toContain("everything__echo");
      expect(names.some((n) => n.startsWith("faulty__"))).toBe(false);
      expect(await c.callTool({ name: "faulty__ok", arguments: {} })).toMatchObject({ isError: true, _meta: { portcullis: { code: "UPSTREAM_UNAVAILABLE" } } });
      expect(audit.entries.some((e) => e.layer === "aggregate" && e.rule === "server-omitted" && e.server === "faulty")).toBe(true);
    } finally {
      await c.close();
    }
    // The crash put faulty in backoff for every endpoint: a new session right away leaves it out (audited), not the others.
    const early = await connect();
    try {
      const names = (await early.listTools()).tools.map((t) => t.name);
      expect(names).toContain("everything__echo");
      expect(names.some((n) => n.startsWith("faulty__"))).toBe(false);
      expect(audit.entries.some((e) => e.layer === "aggregate" && e.rule === "server-omitted" && e.server === "faulty" && e.code === "UPSTREAM_RESTARTING")).toBe(true);
    } finally {
      await early.close();
    }
    // After the backoff (0.5 s ± 20 %), a new session starts its own faulty upstream again.
    await new Promise((r) => setTimeout(r, 700));
    const d = await connect();
    try {
      expect((await d.callTool({ name: "faulty__ok", arguments: {} })).content).toEqual([{ type: "text", text: "fine" }]);
      expect(audit.entries.some((e) => e.event === "upstream_restart" && e.server === "faulty")).toBe(true);
    } finally {
      await d.close();
    }
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: JSON.stringify(body) });

  it("keeps its own sessions (Mcp-Session-Id, DELETE) and names /mcp among the endpoints", async () => {
    const init = await post({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
    expect(init.status).toBe(200);
    const sid = init.headers.get("mcp-session-id")!;
    expect(sid).toBeTruthy();
    expect(await init.json()).toMatchObject({ id: 1, result: { protocolVersion: "2025-11-25", serverInfo: { name: "portcullis" } } });
    expect((await post({ jsonrpc: "2.0", method: "notifications/initialized" }, { "mcp-session-id": sid })).status).toBe(202);
    const list = await post({ jsonrpc: "2.0", id: "l", method: "tools/list" }, { "mcp-session-id": sid });
    expect((await list.json()).result.tools.map((t: { name: string }) => t.name)).toContain("faulty__ok");
    expect((await post({ jsonrpc: "2.0", id: 2, method: "no/such" }, { "mcp-session-id": sid })).status).toBe(200);
    expect((await fetch(`${gw.url}/mcp`, { method: "DELETE", headers: { "mcp-session-id": sid } })).status).toBe(204);
    expect((await post({ jsonrpc: "2.0", id: 3, method: "ping" }, { "mcp-session-id": sid })).status).toBe(404);
    expect((await post({ jsonrpc: "2.0", id: 4, method: "ping" })).status).toBe(400); // no session, not initialize
    const nope = await fetch(`${gw.url}/mcp/nope`);
    expect(nope.status).toBe(404);
    expect((await nope.json()).error.message).toContain("endpoints: /mcp, /mcp/everything, /mcp/faulty");
  });
});

describe("serve: the aggregated /mcp endpoint (2026-07-28 stateless requests)", () => {
  let gw: Gateway;
  const audit = new MemoryAudit();
  beforeAll(async () => {
    gw = await startGateway({ routes: routes(), audit, host: "127.0.0.1", port: 0, log: () => {} });
  });
  afterAll(async () => gw?.close());

  it("serves the v2 SDK client pinned to 2026-07-28: merged discover, namespaced lists, routed calls, refusals", async () => {
    const { Client: V2Client, StreamableHTTPClientTransport: V2Http } = await import("@modelcontextprotocol/client");
    const c = new V2Client({ name: "modern-aggregate", version: "1" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    await c.connect(new V2Http(new URL(`${gw.url}/mcp`)));
    try {
      expect(c.getNegotiatedProtocolVersion()).toBe("2026-07-28");
      const names = (await c.listTools()).tools.map((t) => t.name);
      expect(names).toContain("everything__echo");
      expect(names).toContain("faulty__ok");
      expect(names).not.toContain("everything__get-env");
      expect((await c.callTool({ name: "everything__echo", arguments: { message: "stateless" } })).content).toEqual([{ type: "text", text: "Echo: stateless" }]);
      expect(await c.callTool({ name: "everything__get-env", arguments: {} })).toMatchObject({ isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } });
      expect(await c.callTool({ name: "nosuch__echo", arguments: {} })).toMatchObject({ isError: true, _meta: { portcullis: { code: "UNKNOWN_TOOL", layer: "aggregate" } } });
      expect(audit.entries.some((e) => e.layer === "aggregate" && e.tool === "nosuch__echo")).toBe(true);
      expect((await c.listPrompts()).prompts.map((p) => p.name)).toContain("everything__simple-prompt");
    } finally {
      await c.close();
    }
  });

  it("routes an input_required round (sampling bridged by the server's channel) back to the same server", async () => {
    const { Client: V2Client, StreamableHTTPClientTransport: V2Http } = await import("@modelcontextprotocol/client");
    const c = new V2Client({ name: "modern-sampling", version: "1" }, { capabilities: { sampling: {} }, versionNegotiation: { mode: { pin: "2026-07-28" } } });
    await c.connect(new V2Http(new URL(`${gw.url}/mcp`)));
    try {
      let asked = "";
      c.setRequestHandler("sampling/createMessage", async (req) => {
        asked = JSON.stringify(req.params.messages);
        return { model: "m", role: "assistant", content: { type: "text", text: "forty-two" } };
      });
      const r = await c.callTool({ name: "everything__trigger-sampling-request", arguments: { prompt: "meaning?" } });
      expect(asked).toContain("meaning?");
      expect(JSON.stringify(r.content)).toContain("forty-two");
    } finally {
      await c.close();
    }
  });
});

describe("serve: /mcp with per-server credentials", () => {
  let gw: Gateway;
  const audit = new MemoryAudit();
  const challenge = (server: string) => `Bearer resource_metadata="http://gw.example/.well-known/oauth-protected-resource/mcp/${server}"`;
  // Token "both" reaches both servers, "everything" only that one, "none" is valid but reaches neither.
  const authenticate = async (req: { headers: Record<string, unknown> }, server: string): Promise<AuthResult> => {
    const token = String(req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (!["both", "everything", "none"].includes(token)) return { ok: false, status: 401, message: "no valid token", challenge: challenge(server) };
    if (token === "both" || token === server) return { ok: true, principal: { kind: "api_key", id: token, scopes: ["*"] } };
    return { ok: false, status: 403, message: `no scope for ${server}` };
  };
  beforeAll(async () => {
    gw = await startGateway({ routes: routes(), audit, host: "127.0.0.1", port: 0, log: () => {}, authenticate });
  });
  afterAll(async () => gw?.close());

  const connect = async (token: string) => {
    const c = new Client({ name: "auth-aggregate", version: "1" });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    return c;
  };

  it("shows a caller only the servers their credentials reach", async () => {
    const c = await connect("everything");
    try {
      const names = (await c.listTools()).tools.map((t) => t.name);
      expect(names).toContain("everything__echo");
      expect(names.some((n) => n.startsWith("faulty__"))).toBe(false);
      expect(await c.callTool({ name: "faulty__ok", arguments: {} })).toMatchObject({ isError: true, _meta: { portcullis: { code: "UNKNOWN_TOOL" } } });
      expect((await c.callTool({ name: "everything__echo", arguments: { message: "k" } })).content).toEqual([{ type: "text", text: "Echo: k" }]);
    } finally {
      await c.close();
    }
    const both = await connect("both");
    try {
      expect((await both.listTools()).tools.map((t) => t.name)).toContain("faulty__ok");
    } finally {
      await both.close();
    }
  });

  it("answers 401 with a gateway-wide challenge when no server accepts the credentials, 403 when they reach none", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    const anon = await fetch(`${gw.url}/mcp`, { method: "POST", headers, body });
    expect(anon.status).toBe(401);
    expect(anon.headers.get("www-authenticate")).toBe('Bearer resource_metadata="http://gw.example/.well-known/oauth-protected-resource"');
    expect((await anon.json()).error.data.portcullis.code).toBe("UNAUTHORIZED");
    const none = await fetch(`${gw.url}/mcp`, { method: "POST", headers: { ...headers, authorization: "Bearer none" }, body });
    expect(none.status).toBe(403);
    expect((await none.json()).error.data.portcullis.code).toBe("FORBIDDEN");
    expect(audit.entries.filter((e) => e.event === "auth_failure").length).toBeGreaterThanOrEqual(2);
    // A session is the caller's: another caller's credentials cannot use it.
    const init = await fetch(`${gw.url}/mcp`, { method: "POST", headers: { ...headers, authorization: "Bearer everything" }, body });
    const sid = init.headers.get("mcp-session-id")!;
    const stolen = await fetch(`${gw.url}/mcp`, { method: "POST", headers: { ...headers, authorization: "Bearer both", "mcp-session-id": sid }, body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }) });
    expect(stolen.status).toBe(404);
    await fetch(`${gw.url}/mcp`, { method: "DELETE", headers: { authorization: "Bearer everything", "mcp-session-id": sid } });
  });
});
