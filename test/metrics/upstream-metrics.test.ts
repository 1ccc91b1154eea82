import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { GatewayMetrics } from "../../src/metrics/gateway-metrics.js";
import { serveMetrics } from "../../src/metrics/serve-metrics.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { startGateway, type Gateway } from "../../src/transport/http/gateway.js";
import { UpstreamSupervisors } from "../../src/transport/upstream-supervisor.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { ROOT } from "../helpers/wrap-harness.js";
import { parseExposition, sample } from "./exposition.js";

const FIXTURE = path.join(ROOT, "test/fixtures/servers/notifying-server.mjs");
const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, "io.modelcontextprotocol/clientCapabilities": {} };
const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } };

// portcullis_upstream_up / portcullis_upstream_restarts_total, fed by the gateway's supervisors
// (not by audit lines), scraped over real HTTP while a real stdio upstream crashes and restarts.
describe("serve /metrics: upstream health", () => {
  let gw: Gateway;
  const audit = new MemoryAudit();
  beforeAll(async () => {
    const server = resolveServerPolicy("notify", { command: [process.execPath, FIXTURE], trust: "high", timeout_s: 5, injection: { scan: ["tool_results"] } }, undefined, process.cwd());
    const m = serveMetrics({ metrics: true }, audit, { host: "127.0.0.1", env: {}, servers: ["notify"] })!;
    gw = await startGateway({ routes: new Map([["notify", { server, pipeline: new Pipeline(defaultLayers(server, { stateDir: tmpStateDir() })) }]]), audit: m.audit, host: "127.0.0.1", port: 0, log: () => {}, handlers: [m.handler] });
    m.metrics.watchUpstreams(gw.upstreams);
  });
  afterAll(async () => gw?.close());

  const scrape = async () => {
    const r = await fetch(`${gw.url}/metrics`);
    expect(r.status).toBe(200);
    const { samples, types } = parseExposition(await r.text());
    expect(types.get("portcullis_upstream_up")).toBe("gauge");
    expect(types.get("portcullis_upstream_restarts_total")).toBe("counter");
    return { up: sample(samples, "portcullis_upstream_up", { server: "notify" }), restarts: sample(samples, "portcullis_upstream_restarts_total", { server: "notify" }) };
  };
  const call = (name: string, id: number) =>
    fetch(`${gw.url}/mcp/notify`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": name }, body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: {}, _meta: META } }) });

  it("is absent before the first start, 1 when up, 0 in backoff and until a restart succeeds; restarts are counted", async () => {
    expect(await scrape()).toEqual({ up: undefined, restarts: undefined });
    expect((await call("echo", 1)).status).toBe(200);
    expect(await scrape()).toEqual({ up: 1, restarts: 0 });
    await call("crash", 2);
    await expect.poll(async () => (await scrape()).up, { timeout: 3000 }).toBe(0);
    await new Promise((r) => setTimeout(r, 700));
    expect((await scrape()).up).toBe(0); // out of backoff, but nothing has come up since the crash
    expect((await call("echo", 3)).status).toBe(200);
    expect(await scrape()).toEqual({ up: 1, restarts: 1 });
  });

  it("counts crashes of legacy sessions' upstreams too (one state per server)", async () => {
    const init = await fetch(`${gw.url}/mcp/notify`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify(INIT) });
    const sid = init.headers.get("mcp-session-id")!;
    const send = (body: unknown) => fetch(`${gw.url}/mcp/notify`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": sid }, body: JSON.stringify(body) });
    await send({ jsonrpc: "2.0", method: "notifications/initialized" });
    await send({ jsonrpc: "2.0", id: 2, method: "tools/list" }); // the relay forwards only tools it has seen listed
    await send({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "crash", arguments: {} } });
    await expect.poll(async () => (await scrape()).up, { timeout: 3000 }).toBe(0);
    await new Promise((r) => setTimeout(r, 1400)); // second crash in a row: 1 s ± 20 %
    expect((await fetch(`${gw.url}/mcp/notify`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: JSON.stringify(INIT) })).status).toBe(200);
    await expect.poll(async () => (await scrape()), { timeout: 3000 }).toEqual({ up: 1, restarts: 2 });
  });
});

describe("GatewayMetrics.watchUpstreams", () => {
  it("keeps the restart counter monotonic when the supervisor state is pruned", () => {
    let t = 1_000_000;
    const sup = new UpstreamSupervisors({ audit: new MemoryAudit(), log: () => {}, now: () => t, backoff: { random: () => 0.5 } });
    const m = new GatewayMetrics({ servers: ["files"] });
    m.watchUpstreams(sup);
    sup.get("files").start().crashed("exited with code 1");
    t += 1000;
    sup.get("files").start().up();
    const read = () => parseExposition(m.render()).samples;
    expect(sample(read(), "portcullis_upstream_restarts_total", { server: "files" })).toBe(1);
    expect(sample(read(), "portcullis_upstream_up", { server: "files" })).toBe(1);
    t += 2 * 60 * 60_000;
    expect(sup.prune()).toBe(0); // still running
  });
});
