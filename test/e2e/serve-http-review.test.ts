import http, { type IncomingMessage } from "node:http";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import type { Principal } from "../../src/pipeline/session-state.js";
import { internalMeta, ModernAggregate } from "../../src/transport/http/aggregate/modern-aggregate.js";
import { startGateway, type AuthResult, type GatewayRoute } from "../../src/transport/http/gateway.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { ROOT } from "../helpers/wrap-harness.js";

// Review findings F5-F8 on `serve` (src/transport/http): internal /mcp requests never carry a bridged
// server request, nothing a session cannot deliver is dropped silently, unguessable session ids, and
// stateless channels are reaped when idle and capped.
const FIXTURE = path.join(ROOT, "test/fixtures/servers/notifying-server.mjs");
const CAPS = "io.modelcontextprotocol/clientCapabilities";
const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, [CAPS]: {} };
const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: { sampling: {} }, clientInfo: { name: "raw", version: "1" } } };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function gatewayFor(names: string[], env: Record<string, string> = {}, extra: { idleTimeoutMs?: number; maxSessions?: number; authenticate?: (req: IncomingMessage) => Promise<AuthResult> } = {}) {
  const audit = new MemoryAudit();
  const stateDir = tmpStateDir();
  const routes = new Map<string, GatewayRoute>();
  for (const name of names) {
    const server = resolveServerPolicy(name, { command: [process.execPath, FIXTURE], env: { URI_PREFIX: `${name}://`, ...env }, trust: "high", timeout_s: 5, injection: { scan: ["tool_results"] } }, undefined, process.cwd());
    routes.set(name, { server, pipeline: new Pipeline(defaultLayers(server, { stateDir, authenticated: extra.authenticate !== undefined })) });
  }
  return { audit, routes, start: () => startGateway({ routes, audit, host: "127.0.0.1", port: 0, log: () => {}, ...extra }) };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: JSON.stringify(body) });
const modern = (url: string, id: number | string, method: string, params: Record<string, unknown> = {}, headers: Record<string, string> = {}, meta: Json = META) =>
  post(url, { jsonrpc: "2.0", id, method, params: { ...params, _meta: meta } }, { "mcp-protocol-version": "2026-07-28", "mcp-method": method, ...(typeof params.name === "string" ? { "mcp-name": params.name } : {}), ...headers });
const ready = async (url: string) => (await (await fetch(`${url}/ready`)).json()) as Json;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A 2025-11-25 session whose client accepts only JSON and opens no GET stream: nothing can carry a server message. */
async function jsonOnlySession(url: string): Promise<(body: Json, signal?: AbortSignal) => Promise<Response>> {
  const init = await post(url, INIT, { accept: "application/json" });
  expect(init.status).toBe(200);
  const sid = init.headers.get("mcp-session-id")!;
  await init.json();
  const send = (body: Json, signal?: AbortSignal) => fetch(url, { method: "POST", signal, headers: { "content-type": "application/json", accept: "application/json", "mcp-session-id": sid }, body: JSON.stringify(body) });
  expect((await send({ jsonrpc: "2.0", method: "notifications/initialized" })).status).toBe(202);
  return send;
}

describe("F5: /mcp's own list requests never carry a server's request", () => {
  it("internalMeta strips client capabilities, log level and progress token, and keeps the envelope", () => {
    const meta = { ...META, [CAPS]: { sampling: {}, elicitation: {} }, "io.modelcontextprotocol/logLevel": "info", progressToken: 7 };
    const out = internalMeta(meta)!;
    expect(out[CAPS]).toBeUndefined();
    expect(out["io.modelcontextprotocol/logLevel"]).toBeUndefined();
    expect(out.progressToken).toBeUndefined();
    expect(out["io.modelcontextprotocol/protocolVersion"]).toBe("2026-07-28");
    expect(meta[CAPS]).toEqual({ sampling: {}, elicitation: {} }); // the client's request is not changed
  });

  it("(2026-07-28) a sampling request arriving while a merged list is in flight is not taken as the list's reply", async () => {
    const g = gatewayFor(["alpha", "beta"], { LIST_DELAY_MS: "1200" });
    const gw = await g.start();
    try {
      expect((await (await modern(`${gw.url}/mcp`, 1, "tools/call", { name: "alpha__echo", arguments: {} })).json()).result.content).toEqual([{ type: "text", text: "Echo: " }]);
      // A client that can sample lists tools: /mcp asks each server's channel itself.
      const listing = modern(`${gw.url}/mcp`, 2, "tools/list", {}, {}, { ...META, [CAPS]: { sampling: {} } }).then((r) => r.json() as Promise<Json>);
      await sleep(300);
      // Another request of the same caller (declaring no sampling) makes alpha ask for sampling.
      const started = Date.now();
      const call = await (await modern(`${gw.url}/mcp`, 3, "tools/call", { name: "alpha__ask_sampling", arguments: {} })).json();
      expect(call.result.content[0].text).toMatch(/^sampling failed: Portcullis could not deliver sampling\/createMessage/);
      expect(Date.now() - started).toBeLessThan(4000); // refused at once, not after timeout_s (5 s)
      const list = await listing;
      const names = (list.result.tools as { name: string }[]).map((t) => t.name);
      expect(names).toContain("alpha__echo");
      expect(names).toContain("beta__echo");
      expect(g.audit.entries.some((e) => e.rule === "server-omitted")).toBe(false);
      expect(g.audit.entries.some((e) => e.event === "server_request_bridged")).toBe(false);
      expect(g.audit.entries.find((e) => e.event === "server_request_refused")).toMatchObject({ server: "alpha", method: "sampling/createMessage", code: "CLIENT_INPUT_UNAVAILABLE" });
    } finally {
      await gw.close();
    }
  });
});

describe("F6: a 2025-11-25 session drops nothing silently", () => {
  it("/mcp/<server>: a server request no stream can carry is refused to the upstream at once (CLIENT_INPUT_UNAVAILABLE, audited)", async () => {
    const g = gatewayFor(["notify"]);
    const gw = await g.start();
    try {
      const send = await jsonOnlySession(`${gw.url}/mcp/notify`);
      const started = Date.now();
      const r = await (await send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "ask_sampling", arguments: {} } })).json();
      expect(r.result.content[0].text).toMatch(/^sampling failed: Portcullis could not deliver sampling\/createMessage to the client: no GET stream is open/);
      expect(Date.now() - started).toBeLessThan(4000);
      const refused = g.audit.entries.find((e) => e.event === "server_request_refused")!;
      expect(refused).toMatchObject({ server: "notify", method: "sampling/createMessage", decision: "deny", code: "CLIENT_INPUT_UNAVAILABLE" });
      expect(refused.session).toMatch(/^h_[0-9a-f]{32}$/); // F7
    } finally {
      await gw.close();
    }
  });

  it("/mcp/<server>: notifications without a GET stream and replies the client gave up on are audited, at most once per method per minute, with a count", async () => {
    const g = gatewayFor(["notify"]);
    const gw = await g.start();
    try {
      const send = await jsonOnlySession(`${gw.url}/mcp/notify`);
      // Five log notifications and no stream for them.
      expect((await (await send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "slow_progress", arguments: { steps: 5 } } })).json()).result.content[0].text).toBe("done");
      const undelivered = () => g.audit.entries.filter((e) => e.event === "server_message_undelivered");
      expect(undelivered().filter((e) => e.method === "notifications/message")).toHaveLength(1);
      expect(undelivered()[0]).toMatchObject({ severity: "info", server: "notify", decision: "deny", layer: "gateway" });
      expect(undelivered()[0]!.reason).toMatch(/no GET stream is open/);
      // A client that gives up: the reply arrives later and has nowhere to go.
      const ac = new AbortController();
      const gone = send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "slow_progress", arguments: { steps: 10 } } }, ac.signal).catch(() => undefined);
      await sleep(60);
      ac.abort();
      await gone;
      await expect.poll(() => undelivered().some((e) => e.method === "response" && /no longer waiting for it \(id 3\)/.test(e.reason ?? "")), { timeout: 3000 }).toBe(true);
      expect(undelivered().filter((e) => e.method === "notifications/message")).toHaveLength(1);
      // The session ends: the counted-but-not-audited messages are written as one line.
      const sid = g.audit.entries.find((e) => e.session?.startsWith("h_"))!.session;
      await gw.close();
      const summary = () => undelivered().filter((e) => e.method === "notifications/message" && e.details?.suppressed !== undefined);
      await expect.poll(() => summary().length, { timeout: 3000 }).toBe(1);
      expect(summary()[0]!.details!.suppressed).toBe(14); // 4 + 10, all within the minute
      expect(summary()[0]!.session).toBe(sid);
    } finally {
      await gw.close();
    }
  });

  it("/mcp: a server request the client cannot be reached for is refused to that server; an answer to an unknown id is audited", async () => {
    const g = gatewayFor(["alpha", "beta"]);
    const gw = await g.start();
    try {
      const send = await jsonOnlySession(`${gw.url}/mcp`);
      const started = Date.now();
      const r = await (await send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "alpha__ask_sampling", arguments: {} } })).json();
      expect(r.result.content[0].text).toMatch(/^sampling failed: Portcullis could not deliver sampling\/createMessage/);
      expect(Date.now() - started).toBeLessThan(4000);
      const refused = g.audit.entries.find((e) => e.event === "server_request_refused")!;
      expect(refused).toMatchObject({ server: "alpha", method: "sampling/createMessage", code: "CLIENT_INPUT_UNAVAILABLE", decision: "deny" });
      expect(refused.session).toMatch(/^g_[0-9a-f]{32}$/); // F7
      expect((await send({ jsonrpc: "2.0", id: "alpha-99", result: {} })).status).toBe(202);
      expect(g.audit.entries.find((e) => e.event === "server_message_undelivered" && e.method === "response")).toMatchObject({ severity: "info", session: refused.session });
    } finally {
      await gw.close();
    }
  });

  it("a client with a GET stream (the real SDK client) still gets server requests: sampling works on /mcp/<server>", async () => {
    const g = gatewayFor(["notify"]);
    const gw = await g.start();
    const c = new Client({ name: "review", version: "1" }, { capabilities: { sampling: {} } });
    c.setRequestHandler(CreateMessageRequestSchema, async () => ({ model: "m", role: "assistant", content: { type: "text", text: "hi there" } }));
    try {
      await c.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp/notify`)));
      expect(await c.callTool({ name: "ask_sampling", arguments: {} })).toMatchObject({ content: [{ type: "text", text: "model said: hi there" }] });
      expect(g.audit.entries.some((e) => e.event === "server_request_refused")).toBe(false);
    } finally {
      await c.close();
      await gw.close();
    }
  });
});

describe("F7: session state ids are unguessable", () => {
  it("stateless channels audit under m_ + 32 hex (crypto-random)", async () => {
    const g = gatewayFor(["notify"]);
    const gw = await g.start();
    try {
      await (await modern(`${gw.url}/mcp/notify`, 1, "tools/call", { name: "echo", arguments: {} })).json();
      const ids = g.audit.entries.map((e) => e.session).filter((s): s is string => s?.startsWith("m_") === true);
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(id).toMatch(/^m_[0-9a-f]{32}$/);
    } finally {
      await gw.close();
    }
  });
});

describe("F8: stateless channels are reaped when idle and capped", () => {
  it("an idle channel (/mcp/<server> and /mcp) is closed by the sweeper as an expected stop; the next request opens a new one", async () => {
    const g = gatewayFor(["alpha", "beta"], {}, { idleTimeoutMs: 400 });
    const gw = await g.start();
    try {
      expect((await (await modern(`${gw.url}/mcp/alpha`, 1, "tools/call", { name: "echo", arguments: {} })).json()).result.content).toEqual([{ type: "text", text: "Echo: " }]);
      expect((await (await modern(`${gw.url}/mcp`, 2, "tools/call", { name: "alpha__echo", arguments: {} })).json()).result.content).toEqual([{ type: "text", text: "Echo: " }]);
      // Two upstreams of alpha: /mcp/alpha's channel and /mcp's.
      expect((await ready(gw.url)).upstreams.alpha.up).toBe(2);
      await expect.poll(async () => (await ready(gw.url)).upstreams.alpha.state, { timeout: 4000 }).toBe("idle");
      expect(gw.channelCount()).toBe(0);
      expect((await ready(gw.url)).channels).toBe(0);
      expect((await ready(gw.url)).upstreams.alpha).toMatchObject({ restarts: 0, consecutiveFailures: 0 });
      expect(g.audit.entries.some((e) => e.event === "upstream_backoff" || e.event === "upstream_exit")).toBe(false);
      expect(g.audit.entries.filter((e) => e.event === "upstream_stopped").length).toBeGreaterThanOrEqual(2);
      // Admitted (no backoff): a fresh channel answers.
      expect((await (await modern(`${gw.url}/mcp/alpha`, 3, "tools/call", { name: "echo", arguments: { message: "again" } })).json()).result.content).toEqual([{ type: "text", text: "Echo: again" }]);
      expect(gw.channelCount()).toBe(1);
    } finally {
      await gw.close();
    }
  });

  it("a channel with an open listen stream is not reaped; it is once the stream ends", async () => {
    const g = gatewayFor(["notify"], {}, { idleTimeoutMs: 300 });
    const gw = await g.start();
    const ac = new AbortController();
    try {
      const listen = await fetch(`${gw.url}/mcp/notify`, {
        method: "POST", signal: ac.signal,
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "subscriptions/listen" },
        body: JSON.stringify({ jsonrpc: "2.0", id: "L", method: "subscriptions/listen", params: { notifications: { toolsListChanged: true }, _meta: META } }),
      });
      expect(listen.headers.get("content-type")).toMatch(/text\/event-stream/);
      await sleep(1200);
      expect((await ready(gw.url)).upstreams.notify.up).toBe(1);
      expect(gw.channelCount()).toBe(1);
      ac.abort();
      await expect.poll(async () => (await ready(gw.url)).upstreams.notify.state, { timeout: 4000 }).toBe("idle");
      expect(gw.channelCount()).toBe(0);
    } finally {
      ac.abort();
      await gw.close();
    }
  });

  it("beyond max_sessions channels, new credentials get 503 + Retry-After (GATEWAY_BUSY, audited), on /mcp/<server> and /mcp", async () => {
    const principals: Record<string, Principal> = { a: { kind: "api_key", id: "key_a", scopes: ["server:*"] }, b: { kind: "api_key", id: "key_b", scopes: ["server:*"] } };
    const authenticate = async (req: IncomingMessage): Promise<AuthResult> => {
      const p = principals[(req.headers.authorization ?? "").replace(/^Bearer /, "")];
      return p ? { ok: true, principal: p } : { ok: false, status: 401, message: "no" };
    };
    const g = gatewayFor(["alpha", "beta"], {}, { maxSessions: 1, authenticate });
    const gw = await g.start();
    const as = (t: string) => ({ authorization: `Bearer ${t}` });
    try {
      expect((await modern(`${gw.url}/mcp/alpha`, 1, "tools/call", { name: "echo", arguments: {} }, as("a"))).status).toBe(200);
      const busy = await modern(`${gw.url}/mcp/alpha`, 2, "tools/call", { name: "echo", arguments: {} }, as("b"));
      expect(busy.status).toBe(503);
      expect(busy.headers.get("retry-after")).toBe("5");
      expect(await busy.json()).toMatchObject({ id: 2, error: { code: -32054, data: { portcullis: { code: "GATEWAY_BUSY" } } } });
      expect(g.audit.entries.find((e) => e.event === "gateway_busy")).toMatchObject({ server: "alpha", caller: "api_key:key_b", decision: "deny", code: "GATEWAY_BUSY" });
      // Caller a keeps its channel; a channel to its other server would be one too many.
      expect((await modern(`${gw.url}/mcp/alpha`, 3, "tools/call", { name: "echo", arguments: {} }, as("a"))).status).toBe(200);
      expect((await modern(`${gw.url}/mcp/beta`, 3, "tools/call", { name: "echo", arguments: {} }, as("a"))).status).toBe(503);

      // /mcp: one set of credentials may hold channels (one per server).
      expect((await (await modern(`${gw.url}/mcp`, 4, "tools/list", {}, as("a"))).json()).result.tools.length).toBeGreaterThan(0);
      const busy2 = await modern(`${gw.url}/mcp`, 5, "tools/list", {}, as("b"));
      expect(busy2.status).toBe(503);
      expect(await busy2.json()).toMatchObject({ id: 5, error: { data: { portcullis: { code: "GATEWAY_BUSY" } } } });
      expect(g.audit.entries.filter((e) => e.event === "gateway_busy" && e.caller === "api_key:key_b")).toHaveLength(2);
      expect((await modern(`${gw.url}/mcp`, 6, "ping", {}, as("b"))).status).toBe(200); // no channel needed
      expect(gw.channelCount()).toBe(3); // a: /mcp/alpha, /mcp alpha + beta
    } finally {
      await gw.close();
    }
  });

  it("ModernAggregate: reaped channels take the caller's bookkeeping with them", async () => {
    const g = gatewayFor(["alpha", "beta"]);
    const agg = new ModernAggregate({ routes: g.routes, audit: g.audit, log: () => {} });
    const server = http.createServer((req, res) => {
      let raw = "";
      req.on("data", (c) => (raw += c));
      req.on("end", () => void agg.handle(JSON.parse(raw) as Json, raw, res, { kind: "api_key", id: "key_p", scopes: ["server:*"] }, ["alpha", "beta"], false));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const internals = agg as unknown as { routers: Map<string, unknown>; perCredentials: Map<string, number>; perPrincipal: Map<string, number> };
    try {
      expect((await (await modern(url, 1, "tools/list")).json()).result.tools.length).toBeGreaterThan(0);
      expect(agg.channelCount).toBe(2);
      expect(internals.routers.size).toBe(1);
      agg.sweep(Date.now(), 60_000); // not idle yet
      expect(agg.channelCount).toBe(2);
      agg.sweep(Date.now() + 120_000, 60_000);
      expect(agg.channelCount).toBe(0);
      expect(internals.routers.size).toBe(0);
      expect(internals.perCredentials.size).toBe(0);
      expect(internals.perPrincipal.size).toBe(0);
      expect((await (await modern(url, 2, "tools/call", { name: "beta__echo", arguments: { message: "x" } })).json()).result.content).toEqual([{ type: "text", text: "Echo: x" }]);
      expect(agg.channelCount).toBe(1);
    } finally {
      agg.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
