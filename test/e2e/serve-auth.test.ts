import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "../../src/auth/api-keys.js";
import { createBearerAuthenticator } from "../../src/auth/bearer-authenticator.js";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { RedisStore } from "../../src/store/redis-store.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { startGateway, type Gateway } from "../../src/transport/http/gateway.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { EVERYTHING } from "../helpers/wrap-harness.js";
import { RedisServer } from "../store/redis-server.js";
import { tmpStateDir } from "../helpers/temp-dir.js";

const policy = () => resolveServerPolicy("everything", { command: EVERYTHING, trust: "medium", rate_limit: { per_minute: 4 } }, undefined, process.cwd());
async function gateway(store: Store, audit = new MemoryAudit()): Promise<Gateway> {
  const server = policy();
  return startGateway({
    routes: new Map([["everything", { server, pipeline: new Pipeline(defaultLayers(server, { stateDir: tmpStateDir(), store, authenticated: true })) }]]),
    audit, host: "127.0.0.1", port: 0, log: () => {}, authenticate: createBearerAuthenticator(store),
  });
}
const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, "io.modelcontextprotocol/clientCapabilities": {} };
const echo = (gw: Gateway, key: string | undefined, n: number) =>
  fetch(`${gw.url}/mcp/everything`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "echo", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ jsonrpc: "2.0", id: n, method: "tools/call", params: { name: "echo", arguments: { message: `m${n}` }, _meta: meta } }),
  });

describe("serve with API keys (SQLite store)", () => {
  let store: Store;
  let gw: Gateway;
  const audit = new MemoryAudit();
  beforeAll(async () => {
    store = new SqliteStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pcl-auth-")), "state.db"));
    gw = await gateway(store, audit);
  });
  afterAll(async () => {
    await gw?.close();
    await store?.close();
  });

  it("401 with WWW-Authenticate for missing, malformed and unknown keys", async () => {
    for (const key of [undefined, "not-a-key", "pcl_000000000000_" + "A".repeat(43)]) {
      const r = await echo(gw, key, 1);
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer realm="portcullis"/);
      expect((await r.json()).error.data.portcullis.code).toBe("UNAUTHORIZED");
    }
    expect(audit.entries.filter((e) => e.event === "auth_failure").length).toBeGreaterThanOrEqual(3);
  });

  it("403 for a key without a scope for the server", async () => {
    const { key } = await createApiKey(store, { name: "other", scopes: ["server:files"] });
    expect((await echo(gw, key, 1)).status).toBe(403);
  });

  it("a valid key works with the real SDK client; revocation applies to the very next request", async () => {
    const { key, info } = await createApiKey(store, { name: "sdk", scopes: ["server:everything"] });
    const c = new Client({ name: "keyed", version: "1" });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp/everything`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
    expect((await c.callTool({ name: "echo", arguments: { message: "k" } })).content).toEqual([{ type: "text", text: "Echo: k" }]);
    await revokeApiKey(store, info.id);
    await expect(c.callTool({ name: "echo", arguments: { message: "after revoke" } })).rejects.toThrow(/API key has been revoked/);
    await c.close().catch(() => {});
  });

  it("tool scopes filter tools/list and refuse calls outside them", async () => {
    const { key } = await createApiKey(store, { name: "echo-only", scopes: ["server:everything/tool:echo"] });
    const c = new Client({ name: "scoped", version: "1" });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp/everything`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
    try {
      expect((await c.listTools()).tools.map((t) => t.name)).toEqual(["echo"]);
      expect(await c.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } })).toMatchObject({ isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } });
    } finally {
      await c.close();
    }
  });

  it("429 with Retry-After once the per-caller limit is reached", async () => {
    const { key } = await createApiKey(store, { name: "limited", scopes: ["*"] });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await echo(gw, key, i)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const r = await echo(gw, key, 9);
    expect(r.status).toBe(429);
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await r.json()).result._meta.portcullis.code).toBe("RATE_LIMITED");
  });
});

describe("two serve instances sharing one Redis enforce one limit", () => {
  let redis: RedisServer;
  const stores: Store[] = [];
  const gws: Gateway[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
    for (let i = 0; i < 2; i++) {
      const s = await RedisStore.open(redis.url, { prefix: "e2e:" });
      stores.push(s);
      gws.push(await gateway(s));
    }
  }, 30_000);
  afterAll(async () => {
    for (const g of gws) await g.close();
    for (const s of stores) await s.close();
    await redis?.stop();
  });

  it("a key created through one instance works on both, and calls through both count against one limit", async () => {
    const { key } = await createApiKey(stores[0]!, { name: "shared", scopes: ["*"] });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await echo(gws[i % 2]!, key, i)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });
});
