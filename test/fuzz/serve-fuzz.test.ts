import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { startGateway, type Gateway } from "../../src/transport/http/gateway.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { FAULTY, RECORDING } from "../faults/fault-helpers.js";

// HTTP fuzzing of `serve` (the real gateway, loopback only): whatever is POSTed, the gateway answers
// with a status and, where it has a body, a JSON-RPC message; it stays up; nothing denied reaches the upstream.
const SEED = 7;

describe("fuzz: random bodies into serve", () => {
  let gw: Gateway;
  let record: string;
  let sid: string;
  beforeAll(async () => {
    const dir = tmpStateDir();
    record = path.join(dir, "upstream.log");
    const server = resolveServerPolicy("rec", { command: RECORDING, env: { RECORD_FILE: record }, trust: "low", max_request_kb: 64, rate_limit: { per_minute: 100000 }, tools: { deny: ["secret_*"] } }, undefined, dir);
    gw = await startGateway({ routes: new Map([["rec", { server, pipeline: new Pipeline(defaultLayers(server, { stateDir: dir })) }]]), audit: new MemoryAudit(), host: "127.0.0.1", port: 0, log: () => {} });
    const init = await post(JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "fuzz", version: "1" } } }));
    sid = init.headers.get("mcp-session-id")!;
    await post('{"jsonrpc":"2.0","method":"notifications/initialized"}', { "mcp-session-id": sid });
  });
  afterAll(async () => gw?.close());

  const post = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}/mcp/rec`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json", ...headers }, body: typeof body === "string" ? body : Buffer.from(body), signal: AbortSignal.timeout(5000) });

  const body = fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc.string({ unit: "binary", maxLength: 80 }),
    fc.uint8Array({ maxLength: 80 }),
    fc.record({ jsonrpc: fc.oneof(fc.constant("2.0"), fc.anything()), id: fc.anything({ maxDepth: 1 }), method: fc.oneof(fc.constantFrom("ping", "tools/call", "tools/list", "initialize", "resources/read"), fc.string()), params: fc.anything({ maxDepth: 2 }) }, { requiredKeys: [] }).map((o) => JSON.stringify(o) ?? "null"),
    // (`"id":1e999` inside a session has its own test below)
    fc.constantFrom('{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"secret_admin","arguments":{}}}', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]'),
  );

  it("every POST gets a definite answer (status + JSON-RPC body or an empty 202), the gateway stays up, nothing denied is forwarded", async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (b, withSession) => {
        const r = await post(b, withSession ? { "mcp-session-id": sid } : {});
        expect([200, 202, 400, 404, 405, 413, 415, 500, 503]).toContain(r.status);
        const text = await r.text();
        if (r.status === 202) expect(text).toBe("");
        else {
          const m = JSON.parse(text) as Record<string, unknown>;
          expect(m.jsonrpc).toBe("2.0");
          expect(("result" in m) !== ("error" in m)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
    expect((await fetch(`${gw.url}/health`)).status).toBe(204);
    const lines = fs.existsSync(record) ? fs.readFileSync(record, "utf8").split("\n").filter(Boolean) : [];
    expect(lines.some((l) => l.includes("secret_admin"))).toBe(false);
  }, 60_000);

  it("a non-finite numeric id (1e999) without a session is refused with 400 and a JSON-RPC error", async () => {
    const r = await post('{"jsonrpc":"2.0","id":1e999,"method":"ping"}');
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { code: number } }).error.code).toBeLessThan(0);
  });

  it("a non-finite numeric id (1e999) inside a session gets a definite answer", async () => {
    const r = await fetch(`${gw.url}/mcp/rec`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json", "mcp-session-id": sid }, body: '{"jsonrpc":"2.0","id":1e999,"method":"ping"}', signal: AbortSignal.timeout(1500) });
    expect([200, 400]).toContain(r.status);
    expect(((await r.json()) as { error?: unknown }).error).toBeDefined();
  });

  it("a 50 MB body (streamed) is refused with 413 without being buffered", async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 50) c.enqueue(chunk);
        else c.close();
      },
    });
    const r = await fetch(`${gw.url}/mcp/rec`, { method: "POST", headers: { "content-type": "application/json", "mcp-session-id": sid }, body: stream, duplex: "half", signal: AbortSignal.timeout(10_000) } as RequestInit).catch((e: unknown) => e as Error);
    // Either the 413 arrives, or the gateway cut the upload after answering (the socket closes mid-body).
    if (r instanceof Response) expect(r.status).toBe(413);
    expect((await fetch(`${gw.url}/health`)).status).toBe(204);
  }, 20_000);
});

describe("fuzz: duplicate ids over serve", () => {
  let gw: Gateway;
  beforeAll(async () => {
    const dir = tmpStateDir();
    const server = resolveServerPolicy("faulty", { command: FAULTY, trust: "verified" }, undefined, dir);
    gw = await startGateway({ routes: new Map([["faulty", { server, pipeline: new Pipeline(defaultLayers(server, { stateDir: dir })) }]]), audit: new MemoryAudit(), host: "127.0.0.1", port: 0, log: () => {} });
  });
  afterAll(async () => gw?.close());

  it("a POST reusing a pending id is refused, and the original POST still gets its answer", async () => {
    const post = (body: unknown, sid?: string) => fetch(`${gw.url}/mcp/faulty`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json", ...(sid ? { "mcp-session-id": sid } : {}) }, body: JSON.stringify(body), signal: AbortSignal.timeout(3000) });
    const init = await post({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "dup", version: "1" } } });
    const sid = init.headers.get("mcp-session-id")!;
    await post({ jsonrpc: "2.0", method: "notifications/initialized" }, sid);
    await post({ jsonrpc: "2.0", id: "warm", method: "tools/list" }, sid);
    const first = post({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "late", arguments: { ms: 500 } } }, sid);
    await new Promise((r) => setTimeout(r, 100));
    const second = await post({ jsonrpc: "2.0", id: 5, method: "ping" }, sid);
    expect(((await second.json()) as { error: { code: number } }).error.code).toBe(-32600);
    const r = await first;
    expect(await r.json()).toMatchObject({ id: 5, result: { content: [{ text: "late answer" }] } });
  });
});
