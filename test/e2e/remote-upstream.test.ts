import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { startGateway, type Gateway } from "../../src/transport/http/gateway.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { BIN, RawSession, connectV1, prepare, wrapArgs } from "../helpers/wrap-harness.js";
import { startEverythingHttp } from "../helpers/everything-http.js";

/** A loopback MCP server that only records the headers it is sent. */
async function startRecorder() {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push(req.headers);
      if (req.method !== "POST") return void res.writeHead(405).end();
      const msg = JSON.parse(body) as { id?: unknown; method: string };
      if (msg.id === undefined) return void res.writeHead(202).end();
      const result = msg.method === "initialize" ? { protocolVersion: "2025-11-25", capabilities: { tools: {} }, serverInfo: { name: "recorder", version: "1" } } : { tools: [] };
      res.writeHead(200, { "content-type": "application/json", "mcp-session-id": "rec-1" }).end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const POLICY = { trust: "medium" as const, tools: { deny: ["get-env"], policies: { "trigger-long-running-operation": { approval: "never" as const } } } };

describe("remote Streamable HTTP upstreams (real server-everything over loopback)", () => {
  let everything: { url: string; proc: ChildProcess };
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let gw: Gateway;
  const audit = new MemoryAudit();

  beforeAll(async () => {
    if (!fs.existsSync(BIN)) throw new Error("build first: dist/cli/bin.js is missing");
    everything = await startEverythingHttp();
    recorder = await startRecorder();
    const remote = resolveServerPolicy("remote", { url: everything.url, ...POLICY }, undefined, process.cwd());
    const rec = resolveServerPolicy("rec", { url: recorder.url, headers: { Authorization: "Bearer from-config" } }, undefined, process.cwd());
    const far = resolveServerPolicy("far", { url: "http://example.com/mcp" }, undefined, process.cwd());
    const routes = new Map([remote, rec, far].map((s) => [s.name, { server: s, pipeline: new Pipeline(defaultLayers(s, { stateDir: tmpStateDir() })) }]));
    gw = await startGateway({ routes, audit, host: "127.0.0.1", port: 0, log: () => {} });
  }, 30_000);
  afterAll(async () => {
    await gw?.close();
    await recorder?.close();
    everything?.proc.kill();
  });

  const connect = async (name: string) => {
    const c = new Client({ name: "remote-test", version: "1" });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp/${name}`)));
    return c;
  };

  it("serve: lists filtered tools, echoes, refuses a denied tool", async () => {
    const c = await connect("remote");
    try {
      const names = (await c.listTools()).tools.map((t) => t.name);
      expect(names).toContain("echo");
      expect(names).not.toContain("get-env");
      expect((await c.callTool({ name: "echo", arguments: { message: "remote" } })).content).toEqual([{ type: "text", text: "Echo: remote" }]);
      expect(await c.callTool({ name: "get-env", arguments: {} })).toMatchObject({ isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } });
    } finally {
      await c.close();
    }
  });

  it("serve: progress notifications from the remote SSE stream reach the client", async () => {
    const c = await connect("remote");
    try {
      const progress: number[] = [];
      const r = await c.callTool({ name: "trigger-long-running-operation", arguments: { duration: 1, steps: 3 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
      expect(r.isError).toBeFalsy();
      expect(progress.length).toBeGreaterThanOrEqual(1);
    } finally {
      await c.close();
    }
  });

  it("serve: the upstream gets the config's credentials, never the caller's", async () => {
    const res = await fetch(`${gw.url}/mcp/rec`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: "Bearer caller-token", cookie: "c=1" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).result.serverInfo.name).toBe("recorder");
    expect(recorder.seen.length).toBeGreaterThan(0);
    for (const h of recorder.seen) {
      expect(h.authorization).toBe("Bearer from-config");
      expect(JSON.stringify(h)).not.toContain("caller-token");
      expect(h.cookie).toBeUndefined();
    }
  });

  it("serve: plain http to a non-loopback host is refused with a clear message", async () => {
    const res = await fetch(`${gw.url}/mcp/far`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }),
    });
    expect(res.status).toBe(502);
    expect(JSON.stringify(await res.json())).toMatch(/plain http:\/\/ to a non-loopback host; use https:\/\//);
  });

  const config = (url: string, extra = "") => `servers:\n  remote:\n    url: ${JSON.stringify(url)}\n    trust: medium\n${extra}    tools:\n      deny: [get-env]\n      policies:\n        trigger-long-running-operation: { approval: never }\n`;

  it("wrap --name remote fronts the remote server for a stdio client", async () => {
    const w = prepare(config(everything.url));
    const c = await connectV1(w, [], ["--name", "remote"]);
    try {
      const names = (await c.listTools()).tools.map((t) => t.name);
      expect(names).toContain("echo");
      expect(names).not.toContain("get-env");
      expect((await c.callTool({ name: "echo", arguments: { message: "via wrap" } })).content).toEqual([{ type: "text", text: "Echo: via wrap" }]);
      expect(await c.callTool({ name: "get-env", arguments: {} })).toMatchObject({ isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } });
      const progress: number[] = [];
      await c.callTool({ name: "trigger-long-running-operation", arguments: { duration: 1, steps: 2 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
      expect(progress.length).toBeGreaterThanOrEqual(1);
    } finally {
      await c.close();
    }
  });

  it("wrap sends the config's headers to the remote server", async () => {
    const before = recorder.seen.length;
    const w = prepare(`servers:\n  remote:\n    url: ${JSON.stringify(recorder.url)}\n    headers:\n      Authorization: Bearer from-config\n`);
    const s = new RawSession(wrapArgs(w, [], ["--name", "remote"]), w.dir);
    await s.initialize();
    s.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }));
    expect(await s.reply(2)).toMatchObject({ result: { tools: [] } });
    expect(await s.close()).toBe(0);
    const mine = recorder.seen.slice(before);
    expect(mine.length).toBeGreaterThanOrEqual(3);
    for (const h of mine) expect(h.authorization).toBe("Bearer from-config");
    expect(mine.at(-1)!["mcp-session-id"]).toBe("rec-1");
  });

  it("wrap refuses plain http to a non-loopback host before starting", async () => {
    const w = prepare(config("http://example.com/mcp"));
    const s = new RawSession(wrapArgs(w, [], ["--name", "remote"]), w.dir);
    const code = await s.exited;
    expect(code).not.toBe(0);
    expect(s.stderr).toMatch(/plain http:\/\/ to a non-loopback host; use https:\/\//);
  });
});
