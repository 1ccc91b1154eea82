import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { startGateway, type GatewayRoute } from "../../src/transport/http/gateway.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { ROOT } from "../helpers/wrap-harness.js";

// One crash/backoff state per server, shared by every stdio upstream the gateway starts for it:
// legacy sessions on /mcp/<server>, stateless channels, and /mcp's session links and channels.
const FIXTURE = path.join(ROOT, "test/fixtures/servers/notifying-server.mjs");
const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, "io.modelcontextprotocol/clientCapabilities": {} };
const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } };

function gatewayFor(names: string[], env: Record<string, string> = {}, extra: { idleTimeoutMs?: number } = {}) {
  const audit = new MemoryAudit();
  const logs: string[] = [];
  const stateDir = tmpStateDir();
  const routes = new Map<string, GatewayRoute>();
  for (const name of names) {
    const server = resolveServerPolicy(name, { command: [process.execPath, FIXTURE], env: { URI_PREFIX: `${name}://`, ...env }, trust: "high", timeout_s: 5, injection: { scan: ["tool_results"] } }, undefined, process.cwd());
    routes.set(name, { server, pipeline: new Pipeline(defaultLayers(server, { stateDir })) });
  }
  return { audit, logs, start: () => startGateway({ routes, audit, host: "127.0.0.1", port: 0, log: (l) => logs.push(l), ...extra }) };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: JSON.stringify(body) });
const modern = (url: string, id: number, method: string, params: Record<string, unknown> = {}) =>
  post(url, { jsonrpc: "2.0", id, method, params: { ...params, _meta: META } }, { "mcp-protocol-version": "2026-07-28", "mcp-method": method, ...(typeof params.name === "string" ? { "mcp-name": params.name } : {}) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function legacyClient(url: string): Promise<Client> {
  const c = new Client({ name: "supervision", version: "1" });
  await c.connect(new StreamableHTTPClientTransport(new URL(url)));
  return c;
}

describe("serve: one supervision for every stdio upstream of a server", () => {
  it("a legacy session's crash puts the server in backoff: a new initialize gets 503 + Retry-After (UPSTREAM_RESTARTING, audited), stateless requests too", async () => {
    const g = gatewayFor(["notify"]);
    const gw = await g.start();
    try {
      const c = await legacyClient(`${gw.url}/mcp/notify`);
      expect(await c.callTool({ name: "crash", arguments: {} })).toMatchObject({ isError: true, _meta: { portcullis: { code: "UPSTREAM_UNAVAILABLE" } } });
      await c.close().catch(() => {});
      await expect.poll(() => g.audit.entries.some((e) => e.event === "upstream_backoff"), { timeout: 3000 }).toBe(true);
      expect(g.audit.entries.find((e) => e.event === "upstream_backoff")).toMatchObject({ server: "notify", details: { stderrTail: ["notifying-server: segfault in tool crash"] } });

      const refused = await post(`${gw.url}/mcp/notify`, INIT);
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(refused.headers.get("mcp-session-id")).toBeNull();
      expect(await refused.json()).toMatchObject({ id: 1, error: { code: -32056, data: { portcullis: { code: "UPSTREAM_RESTARTING" } } } });
      expect(g.audit.entries.find((e) => e.event === "upstream_restarting")).toMatchObject({ server: "notify", method: "initialize", decision: "deny", code: "UPSTREAM_RESTARTING" });
      // The stateless era shares the server's state.
      expect((await modern(`${gw.url}/mcp/notify`, 2, "tools/list")).status).toBe(503);
      expect((await (await fetch(`${gw.url}/ready`)).json()).upstreams.notify).toMatchObject({ state: "backoff", backoff: 1, lastExit: { how: "exited with code 1" } });

      await sleep(700); // 0.5 s ± 20 %
      const d = await legacyClient(`${gw.url}/mcp/notify`);
      try {
        expect((await d.callTool({ name: "echo", arguments: { message: "back" } })).content).toEqual([{ type: "text", text: "Echo: back" }]);
      } finally {
        await d.close();
      }
      expect(g.audit.entries.filter((e) => e.event === "upstream_restart")).toHaveLength(1);
    } finally {
      await gw.close();
    }
  });

  it("an expected stop (DELETE, idle expiry, shutdown) is not a crash", async () => {
    const g = gatewayFor(["notify"], {}, { idleTimeoutMs: 200 });
    const gw = await g.start();
    try {
      const init = await post(`${gw.url}/mcp/notify`, INIT);
      const sid = init.headers.get("mcp-session-id")!;
      expect(init.status).toBe(200);
      expect((await (await fetch(`${gw.url}/ready`)).json()).upstreams.notify).toMatchObject({ state: "up", up: 1 });
      expect((await fetch(`${gw.url}/mcp/notify`, { method: "DELETE", headers: { "mcp-session-id": sid } })).status).toBe(204);
      await expect.poll(async () => (await (await fetch(`${gw.url}/ready`)).json()).upstreams.notify.state, { timeout: 3000 }).toBe("idle");
      // Idle expiry: the sweeper closes the session.
      expect((await post(`${gw.url}/mcp/notify`, INIT)).status).toBe(200);
      await expect.poll(() => gw.sessionCount(), { timeout: 3000 }).toBe(0);
      await expect.poll(async () => (await (await fetch(`${gw.url}/ready`)).json()).upstreams.notify.state, { timeout: 3000 }).toBe("idle");
      expect((await post(`${gw.url}/mcp/notify`, INIT)).status).toBe(200); // admitted: no backoff
      expect(g.audit.entries.some((e) => e.event === "upstream_backoff" || e.event === "upstream_restarting")).toBe(false);
      expect((await (await fetch(`${gw.url}/ready`)).json()).upstreams.notify).toMatchObject({ restarts: 0, consecutiveFailures: 0 });
    } finally {
      await gw.close();
    }
    expect(g.audit.entries.some((e) => e.event === "upstream_backoff")).toBe(false);
  });

  it("/mcp (2026-07-28): a crashed server is left out of lists (server-omitted) and calls to it get 503 + Retry-After; /mcp/<server> shares the backoff", async () => {
    const g = gatewayFor(["alpha", "beta"]);
    const gw = await g.start();
    try {
      const crashed = await (await modern(`${gw.url}/mcp`, 1, "tools/call", { name: "alpha__crash", arguments: {} })).json();
      expect(crashed.result).toMatchObject({ isError: true, _meta: { portcullis: { code: "UPSTREAM_UNAVAILABLE" } } });
      await expect.poll(() => g.audit.entries.some((e) => e.event === "upstream_backoff" && e.server === "alpha"), { timeout: 3000 }).toBe(true);
      const list = await (await modern(`${gw.url}/mcp`, 2, "tools/list")).json();
      const names = (list.result.tools as { name: string }[]).map((t) => t.name);
      expect(names).toContain("beta__echo");
      expect(names.some((n) => n.startsWith("alpha__"))).toBe(false);
      expect(g.audit.entries.some((e) => e.layer === "aggregate" && e.rule === "server-omitted" && e.server === "alpha" && e.method === "tools/list")).toBe(true);
      const call = await modern(`${gw.url}/mcp`, 3, "tools/call", { name: "alpha__echo", arguments: {} });
      expect(call.status).toBe(503);
      expect(Number(call.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await call.json()).toMatchObject({ id: 3, error: { data: { portcullis: { code: "UPSTREAM_RESTARTING" } } } });
      expect((await modern(`${gw.url}/mcp/alpha`, 4, "tools/list")).status).toBe(503);
      // A legacy /mcp session opened now leaves alpha out (audited with its initialize).
      const init = await post(`${gw.url}/mcp`, INIT);
      expect(init.status).toBe(200);
      expect(g.audit.entries.some((e) => e.layer === "aggregate" && e.rule === "server-omitted" && e.server === "alpha" && e.method === "initialize" && e.code === "UPSTREAM_RESTARTING")).toBe(true);
      await sleep(700);
      expect((await (await modern(`${gw.url}/mcp`, 5, "tools/call", { name: "alpha__echo", arguments: { message: "x" } })).json()).result.content).toEqual([{ type: "text", text: "Echo: x" }]);
    } finally {
      await gw.close();
    }
  });

  it("/mcp (2025-11-25): when every server is in backoff, initialize gets 503 + Retry-After, not a spawn loop", async () => {
    const g = gatewayFor(["alpha", "beta"], { CRASH_ON_START: "1" });
    const gw = await g.start();
    try {
      const first = await post(`${gw.url}/mcp`, INIT);
      expect(await first.json()).toMatchObject({ error: { data: { portcullis: { code: "UPSTREAM_UNAVAILABLE" } } } });
      await expect.poll(() => g.audit.entries.filter((e) => e.event === "upstream_backoff").length, { timeout: 3000 }).toBe(2);
      for (let i = 0; i < 5; i++) {
        const r = await post(`${gw.url}/mcp`, INIT);
        expect(r.status).toBe(503);
        expect(r.headers.get("retry-after")).toBe("1");
      }
      // Two processes (one per server) for six initialize requests.
      expect(g.logs.filter((l) => /^\[(alpha|beta)\] notifying-server: fatal: cannot open database/.test(l))).toHaveLength(2);
    } finally {
      await gw.close();
    }
  });
});
