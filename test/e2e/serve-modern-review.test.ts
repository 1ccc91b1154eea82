import fs from "node:fs";
import http from "node:http";
import type { IncomingMessage } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import type { Principal } from "../../src/pipeline/session-state.js";
import { ModernAggregate } from "../../src/transport/http/aggregate/modern-aggregate.js";
import { startGateway, type AuthResult, type Gateway, type GatewayRoute } from "../../src/transport/http/gateway.js";
import { MAX_LISTENERS } from "../../src/transport/http/modern-channel.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { ROOT } from "../helpers/wrap-harness.js";

// Review findings on the stateless (2026-07-28) side of `serve`: /mcp/<server> and the aggregated /mcp.
const FIXTURE = path.join(ROOT, "test/fixtures/servers/notifying-server.mjs");
const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, "io.modelcontextprotocol/clientCapabilities": {} };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** Two bearer tokens of ONE OAuth subject and client (same principal id), with different scopes. */
const PRINCIPALS: Record<string, Principal> = {
  broad: { kind: "oauth", id: "u_0123456789abcdef", scopes: ["server:*"] },
  narrow: { kind: "oauth", id: "u_0123456789abcdef", scopes: ["server:*/tool:echo"] },
};
const authenticate = async (req: IncomingMessage): Promise<AuthResult> => {
  const p = PRINCIPALS[(req.headers.authorization ?? "").replace(/^Bearer /, "")];
  return p ? { ok: true, principal: p } : { ok: false, status: 401, message: "no" };
};

function routesFor(names: string[], withAuth: boolean, env: Record<string, string> = {}): Map<string, GatewayRoute> {
  const stateDir = tmpStateDir();
  const routes = new Map<string, GatewayRoute>();
  for (const name of names) {
    const server = resolveServerPolicy(name, { command: [process.execPath, FIXTURE], env: { URI_PREFIX: `${name}://`, ...env }, trust: "high", timeout_s: 5, injection: { scan: ["tool_results"] } }, undefined, process.cwd());
    routes.set(name, { server, pipeline: new Pipeline(defaultLayers(server, { stateDir, authenticated: withAuth })) });
  }
  return routes;
}

const post = (url: string, body: Json, token?: string) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": String(body.method), ...(body.params?.name ? { "mcp-name": body.params.name } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
const call = (url: string, id: number, name: string, token?: string) => post(url, { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: {}, _meta: META } }, token).then((r) => r.json() as Promise<Json>);

describe("serve (2026-07-28): a channel applies the scopes of the credentials that made each request", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ routes: routesFor(["alpha", "beta"], true), audit: new MemoryAudit(), host: "127.0.0.1", port: 0, log: () => {}, authenticate });
  });
  afterAll(async () => gw?.close());

  it("/mcp/<server>: a narrower token of the same subject cannot use the channel its broader token opened", async () => {
    const url = `${gw.url}/mcp/alpha`;
    expect((await call(url, 1, "touch_lists", "broad")).result).toMatchObject({ content: [{ text: "touched" }] });
    const narrow = await call(url, 2, "touch_lists", "narrow");
    expect(narrow.result).toMatchObject({ isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } });
    expect((await call(url, 3, "echo", "narrow")).result).toMatchObject({ content: [{ text: "Echo: " }] });
  });

  it("/mcp: the same, for the aggregated endpoint's channels", async () => {
    const url = `${gw.url}/mcp`;
    expect((await call(url, 1, "beta__touch_lists", "broad")).result).toMatchObject({ content: [{ text: "touched" }] });
    const narrow = await call(url, 2, "beta__touch_lists", "narrow");
    expect(narrow.result).toMatchObject({ isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } });
  });
});

/** Opens `n` listens at once; resolves with how many got a stream (SSE) and how many a JSON refusal. */
async function concurrentListens(url: string, n: number, uri: (i: number) => string): Promise<{ streams: number; refused: number; aborts: AbortController[] }> {
  const aborts: AbortController[] = [];
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => {
    const ac = new AbortController();
    aborts.push(ac);
    return fetch(url, {
      method: "POST", signal: ac.signal,
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "subscriptions/listen" },
      body: JSON.stringify({ jsonrpc: "2.0", id: `L${i}`, method: "subscriptions/listen", params: { notifications: { resourceSubscriptions: [uri(i)] }, _meta: META } }),
    });
  }));
  const streams = answers.filter((r) => (r.headers.get("content-type") ?? "").includes("text/event-stream")).length;
  return { streams, refused: n - streams, aborts };
}

describe("serve (2026-07-28): subscriptions/listen limits hold under concurrency", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ routes: routesFor(["alpha", "beta"], false), audit: new MemoryAudit(), host: "127.0.0.1", port: 0, log: () => {} });
    await call(`${gw.url}/mcp/alpha`, 1, "echo"); // the channel exists and is initialised
    await call(`${gw.url}/mcp`, 1, "alpha__echo");
  });
  afterAll(async () => gw?.close());

  it("/mcp/<server>: concurrent listens cannot exceed the per-caller limit", async () => {
    const r = await concurrentListens(`${gw.url}/mcp/alpha`, MAX_LISTENERS + 16, (i) => `alpha://u${i}`);
    r.aborts.forEach((a) => a.abort());
    expect(r.streams).toBeLessThanOrEqual(MAX_LISTENERS);
    expect(r.refused).toBeGreaterThanOrEqual(16);
  });

  it("/mcp: concurrent merged listens cannot exceed the per-caller limit", async () => {
    const r = await concurrentListens(`${gw.url}/mcp`, MAX_LISTENERS + 16, () => "alpha://a");
    r.aborts.forEach((a) => a.abort());
    expect(r.streams).toBeLessThanOrEqual(MAX_LISTENERS);
    expect(r.refused).toBeGreaterThanOrEqual(16);
  });

  it("a listen naming thousands of URIs is refused instead of subscribing (and, on /mcp, re-listing every server for) each", async () => {
    const uris = Array.from({ length: 5000 }, (_, i) => `alpha://many/${i}`);
    for (const url of [`${gw.url}/mcp/alpha`, `${gw.url}/mcp`]) {
      const started = Date.now();
      const r = await post(url, { jsonrpc: "2.0", id: "big", method: "subscriptions/listen", params: { notifications: { resourceSubscriptions: uris }, _meta: META } });
      expect(await r.json()).toMatchObject({ id: "big", error: { code: -32602 } });
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });
});

describe("serve (2026-07-28): a merged listen on /mcp with unknown URIs", () => {
  it("lists the servers once for the whole listen, not once per unknown URI", async () => {
    const record = path.join(tmpStateDir(), "record.jsonl");
    const gw = await startGateway({ routes: routesFor(["alpha", "beta"], false, { RECORD_FILE: record }), audit: new MemoryAudit(), host: "127.0.0.1", port: 0, log: () => {} });
    try {
      const uris = Array.from({ length: 50 }, (_, i) => `nowhere://${i}`);
      const r = await post(`${gw.url}/mcp`, { jsonrpc: "2.0", id: "many", method: "subscriptions/listen", params: { notifications: { toolsListChanged: true, resourceSubscriptions: uris }, _meta: META } });
      // Headers arrive with the acknowledgement, once every URI was routed.
      expect(r.headers.get("content-type")).toMatch(/text\/event-stream/);
    } finally {
      await gw.close();
    }
    const lists = fs.readFileSync(record, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Json).filter((l) => l.method === "resources/list");
    // Two servers share the record file: one listing each.
    expect(lists.length).toBeLessThanOrEqual(2);
  });
});

describe("ModernAggregate: per-request bookkeeping does not outlive a client that left early", () => {
  it("the cancellation route of a request whose client disconnected while it was being routed is forgotten", async () => {
    const agg = new ModernAggregate({ routes: routesFor(["alpha", "beta"], false), audit: new MemoryAudit(), log: () => {} });
    const server = http.createServer((req, res) => {
      let raw = "";
      req.on("data", (c) => (raw += c));
      req.on("end", () => void agg.handle(JSON.parse(raw) as Json, raw, res, undefined, ["alpha", "beta"], false));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      for (let i = 0; i < 5; i++) {
        const ac = new AbortController();
        // The first request opens the channel (spawn + handshake): the client gives up meanwhile.
        const pending = fetch(url, { method: "POST", signal: ac.signal, headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: `gone-${i}`, method: "tools/call", params: { name: `alpha__echo`, arguments: {}, _meta: META } }) });
        setTimeout(() => ac.abort(), 60);
        await pending.catch(() => {});
        await new Promise((r) => setTimeout(r, 300)); // handshake done, reply delivered (to nobody)
        agg.close(); // a fresh channel (and handshake) for the next round
      }
      expect((agg as unknown as { inflight: Map<string, string> }).inflight.size).toBe(0);
    } finally {
      agg.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
