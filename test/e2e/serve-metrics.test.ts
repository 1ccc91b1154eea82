import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { serveMetrics } from "../../src/metrics/serve-metrics.js";
import { CONTENT_TYPE } from "../../src/metrics/prometheus.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { startGateway, type Gateway } from "../../src/transport/http/gateway.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { EVERYTHING } from "../helpers/wrap-harness.js";
import { parseExposition, sample } from "../metrics/exposition.js";

const TOKEN = "metrics-s3cret";

// The real SDK client -> gateway (audit wrapped by the metrics decorator) -> real server-everything.
describe("serve: GET /metrics", () => {
  let gw: Gateway;
  const inner = new MemoryAudit();
  beforeAll(async () => {
    const server = resolveServerPolicy("everything", { command: EVERYTHING, trust: "medium", tools: { deny: ["get-env"] } }, undefined, process.cwd());
    const m = serveMetrics({ metrics: { token_env: "PCL_TEST_METRICS_TOKEN" } }, inner, { host: "127.0.0.1", env: { PCL_TEST_METRICS_TOKEN: TOKEN }, servers: ["everything"] })!;
    gw = await startGateway({
      routes: new Map([["everything", { server, pipeline: new Pipeline(defaultLayers(server, { stateDir: tmpStateDir() })) }]]),
      audit: m.audit, host: "127.0.0.1", port: 0, log: () => {}, handlers: [m.handler],
    });
  });
  afterAll(async () => gw?.close());

  const scrape = async () => {
    const r = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe(CONTENT_TYPE);
    return parseExposition(await r.text()).samples;
  };

  it("counts decisions, tool-call latency and HTTP requests made through the real client", async () => {
    const c = new Client({ name: "metrics-test", version: "1" });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp/everything`)));
    try {
      for (let i = 0; i < 3; i++) expect((await c.callTool({ name: "echo", arguments: { message: `m${i}` } })).isError).toBeFalsy();
      expect(await c.callTool({ name: "get-env", arguments: {} })).toMatchObject({ isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } });
    } finally {
      await c.close();
    }
    await fetch(`${gw.url}/mcp/everything`, { headers: { origin: "https://evil.example" } });
    const s = await scrape();
    expect(sample(s, "portcullis_audit_events_total", { event: "tool_call", decision: "allow", server: "everything" })).toBe(3);
    const denied = s.filter((x) => x.name === "portcullis_audit_events_total" && x.labels.code === "TOOL_DENIED" && x.labels.decision === "deny" && x.labels.server === "everything");
    expect(denied.reduce((n, x) => n + x.value, 0)).toBe(1);
    expect(denied[0]!.labels.layer).toBe("tool-policy");
    expect(sample(s, "portcullis_audit_events_total", { event: "origin_rejected", code: "ORIGIN_REJECTED" })).toBe(1);
    expect(sample(s, "portcullis_tool_call_duration_seconds_count", { server: "everything" })).toBe(3);
    expect(sample(s, "portcullis_tool_call_duration_seconds_sum", { server: "everything" })).toBeGreaterThan(0);
    expect(sample(s, "portcullis_http_requests_total", { route: "mcp", server: "everything", method: "POST", status: "200" })).toBeGreaterThanOrEqual(5);
    expect(sample(s, "portcullis_audit_healthy")).toBe(1);
    // The decorator forwarded everything it counted.
    expect(inner.entries.filter((e) => e.event === "tool_call")).toHaveLength(3);
  });

  it("needs the bearer token, stays behind the Origin check, and answers only GET/HEAD", async () => {
    const none = await fetch(`${gw.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect((await none.json()).error.data.portcullis.code).toBe("UNAUTHORIZED");
    expect((await fetch(`${gw.url}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect(inner.entries.filter((e) => e.event === "auth_failure" && e.rule === "metrics-token")).toHaveLength(2);
    expect((await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}`, origin: "https://evil.example" } })).status).toBe(403);
    expect((await fetch(`${gw.url}/metrics`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(405);
    const head = await fetch(`${gw.url}/metrics`, { method: "HEAD", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(head.status).toBe(200);
    const s = await scrape();
    expect(sample(s, "portcullis_http_requests_total", { route: "metrics", status: "401" })).toBe(2);
    expect(sample(s, "portcullis_http_requests_total", { route: "metrics", method: "POST", status: "405" })).toBe(1);
  });
});

// `portcullis serve` from dist/: the CLI wiring in serve.ts.
describe("portcullis serve: metrics wiring", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pcl-serve-metrics-"));
  const procs: ChildProcess[] = [];
  afterAll(() => {
    for (const p of procs) p.kill("SIGTERM");
  });

  async function serve(extra: string): Promise<string> {
    const file = path.join(dir, `cfg-${procs.length}.yaml`);
    fs.writeFileSync(file, `servers:\n  everything:\n    command: ${JSON.stringify(EVERYTHING)}\n${extra}`);
    const p = spawn(process.execPath, [path.resolve("dist/cli/bin.js"), "serve", "-c", file, "--port", "0", "--state-dir", path.join(dir, `state-${procs.length}`)], { stdio: ["ignore", "pipe", "pipe"] });
    procs.push(p);
    let out = "";
    return new Promise((resolve, reject) => {
      p.stdout!.on("data", (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      let err = "";
      p.stderr!.on("data", (d) => (err += d));
      p.on("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    });
  }

  it("does not serve /metrics unless serve.metrics is on", async () => {
    const url = await serve("");
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
  });

  it("serves /metrics with serve.metrics: true", async () => {
    const url = await serve("serve:\n  metrics: true\n");
    const r = await fetch(`${url}/metrics`);
    expect(r.status).toBe(200);
    expect(sample(parseExposition(await r.text()).samples, "portcullis_audit_healthy")).toBe(1);
  });
});
