import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/portcullis-error.js";
import { RemoteUpstream, remoteUrlProblem } from "../../src/transport/remote-upstream.js";
import type { UpstreamEvents } from "../../src/transport/upstream-connection.js";

interface Seen {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A loopback stand-in for a remote MCP server: records every request, answers with `reply`. */
async function fakeServer(reply: (msg: Record<string, unknown>, res: http.ServerResponse, seen: Seen) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const s = { method: req.method!, headers: req.headers, body };
      seen.push(s);
      if (req.method === "DELETE") return void res.writeHead(200).end();
      if (req.method === "GET") return void res.writeHead(405).end();
      reply(JSON.parse(body) as Record<string, unknown>, res, s);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function recorder() {
  const lines: string[] = [];
  const oversize: [unknown, number][] = [];
  const closed: [string, boolean][] = [];
  let wake: () => void = () => {};
  const events: UpstreamEvents = {
    line: (t) => (lines.push(t), wake()),
    oversize: (id, bytes) => (oversize.push([id, bytes]), wake()),
    invalidUtf8: () => {},
    closed: (how, _c, expected) => (closed.push([how, expected]), wake()),
    failed: () => {},
  };
  const until = async (cond: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error("timed out");
      await new Promise<void>((r) => ((wake = r), setTimeout(r, 20)));
    }
  };
  return { lines, oversize, closed, events, until };
}

const INIT = JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } });

describe("RemoteUpstream (Streamable HTTP client)", () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it("keeps the session id and protocol version, sends only config headers, reads JSON and SSE, DELETEs on stop", async () => {
    const srv = await fakeServer((msg, res) => {
      if (msg.method === "initialize") {
        res.writeHead(200, { "content-type": "application/json", "mcp-session-id": "sess-1" }).end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result: { protocolVersion: "2025-06-18", capabilities: {}, serverInfo: { name: "fake", version: "1" } } }));
      } else if (!("id" in msg)) {
        res.writeHead(202).end();
      } else {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write(`event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } })}\n\n`);
        res.write(": comment\n\n");
        // one message split over two data lines and two chunks
        res.write(`data: {"jsonrpc":"2.0",\r\ndata: "id":${JSON.stringify(msg.id)},`);
        setTimeout(() => res.end(`"result":{"ok":true}}\r\n\r\n`), 20);
      }
    });
    closers.push(srv.close);
    const r = recorder();
    const up = new RemoteUpstream(srv.url, { headers: { authorization: "Bearer from-config" }, maxLineBytes: 10_000, requireHttps: true }, r.events);
    up.write(INIT);
    up.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    up.write(JSON.stringify({ jsonrpc: "2.0", id: "a", method: "tools/list" }));
    await r.until(() => r.lines.length >= 3);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({ id: 0, result: { protocolVersion: "2025-06-18" } });
    expect(JSON.parse(r.lines[1]!)).toMatchObject({ method: "notifications/progress" });
    expect(JSON.parse(r.lines[2]!)).toEqual({ jsonrpc: "2.0", id: "a", result: { ok: true } });
    const posts = srv.seen.filter((s) => s.method === "POST");
    expect(posts[0]!.headers["mcp-session-id"]).toBeUndefined();
    for (const p of posts) {
      expect(p.headers.authorization).toBe("Bearer from-config");
      expect(p.headers.accept).toBe("application/json, text/event-stream");
      expect(p.headers["content-type"]).toBe("application/json");
    }
    expect(posts[1]!.headers["mcp-session-id"]).toBe("sess-1");
    expect(posts[2]!.headers["mcp-protocol-version"]).toBe("2025-06-18");
    up.stop();
    await r.until(() => r.closed.length > 0);
    expect(r.closed[0]).toEqual(["was shut down", true]);
    const del = srv.seen.find((s) => s.method === "DELETE");
    expect(del?.headers["mcp-session-id"]).toBe("sess-1");
  });

  it("reports messages over maxLineBytes as oversize with their id, and HTTP errors as JSON-RPC errors", async () => {
    const srv = await fakeServer((msg, res) => {
      if (msg.method === "big") {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end(`data: ${JSON.stringify({ jsonrpc: "2.0", id: msg.id, result: { x: "y".repeat(5000) } })}\n\n`);
      } else if (msg.method === "bigjson") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result: { x: "y".repeat(5000) } }));
      } else if (msg.method === "auth") {
        res.writeHead(401, { "content-type": "text/plain" }).end("no token");
      } else {
        res.writeHead(500).end("boom");
      }
    });
    closers.push(srv.close);
    const r = recorder();
    const up = new RemoteUpstream(srv.url, { maxLineBytes: 1000 }, r.events);
    up.write(JSON.stringify({ jsonrpc: "2.0", id: 7, method: "big" }));
    up.write(JSON.stringify({ jsonrpc: "2.0", id: 8, method: "bigjson" }));
    await r.until(() => r.oversize.length >= 2);
    expect(r.oversize.map((o) => o[0]).sort()).toEqual([7, 8]);
    up.write(JSON.stringify({ jsonrpc: "2.0", id: 9, method: "auth" }));
    up.write(JSON.stringify({ jsonrpc: "2.0", id: 10, method: "other" }));
    await r.until(() => r.lines.length >= 2);
    const byId = new Map(r.lines.map((l) => JSON.parse(l) as { id: number; error: { code: number; message: string } }).map((m) => [m.id, m]));
    expect(byId.get(9)!.error.message).toMatch(/HTTP 401.*credentials/);
    expect(byId.get(10)!.error).toMatchObject({ code: -32009 });
    expect(byId.get(10)!.error.message).toMatch(/HTTP 500: boom/);
    up.stop();
  });

  it("reports an unreachable server as closed, not expected", async () => {
    const srv = await fakeServer(() => {});
    await srv.close(); // the port is now refused
    const r = recorder();
    const up = new RemoteUpstream(srv.url, { maxLineBytes: 1000 }, r.events);
    up.write(INIT);
    await r.until(() => r.closed.length > 0);
    expect(r.closed[0]![1]).toBe(false);
    expect(r.closed[0]![0]).toMatch(/could not be reached/);
  });

  it("refuses plain http to a non-loopback host when HTTPS is required", () => {
    expect(() => new RemoteUpstream("http://example.com/mcp", { maxLineBytes: 1000, requireHttps: true }, recorder().events)).toThrow(ConfigError);
    expect(remoteUrlProblem("http://example.com/mcp", true)).toMatch(/plain http:\/\/ to a non-loopback host; use https:\/\//);
    for (const ok of ["https://example.com/mcp", "http://127.0.0.1:1/mcp", "http://127.9.8.7/mcp", "http://localhost:3000/mcp", "http://[::1]:3000/mcp"]) expect(remoteUrlProblem(ok, true)).toBeUndefined();
    expect(remoteUrlProblem("http://example.com/mcp", false)).toBeUndefined();
    expect(remoteUrlProblem("ftp://example.com/mcp", false)).toMatch(/http\(s\)/);
    expect(remoteUrlProblem("http://127.0.0.1.evil.com/mcp", true)).toMatch(/non-loopback/);
  });
});
