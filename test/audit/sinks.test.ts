import dgram from "node:dgram";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { WebhookAlertSink } from "../../src/audit/alert-sink.js";
import { BatchSender } from "../../src/audit/batch-sender.js";
import { JsonlAuditLog } from "../../src/audit/jsonl-audit-log.js";
import { HttpSink } from "../../src/audit/sinks/http-sink.js";
import { StreamSink } from "../../src/audit/sinks/stream-sink.js";
import { SyslogSink } from "../../src/audit/sinks/syslog-sink.js";
import { verifyChain } from "../../src/audit/verify-chain.js";
import { tmpDir } from "./audit-test-helpers.js";

/** A loopback HTTP receiver that fails the first `failures` requests with 503. */
async function receiver(failures: number, hang = false) {
  const bodies: string[] = [];
  let requests = 0;
  const server = http.createServer((req, res) => {
    let b = "";
    req.on("data", (d) => (b += d));
    req.on("end", () => {
      requests++;
      if (hang) return; // never answers: the sender's timeout must cut it
      if (requests <= failures) {
        res.writeHead(503).end();
        return;
      }
      bodies.push(b);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`;
  return { url, bodies, get requests() { return requests; }, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe("webhook alerts", () => {
  it("delivers high and critical lines in batches, retrying after the receiver fails", async () => {
    const rx = await receiver(2);
    cleanups.push(rx.close);
    const alerts = new WebhookAlertSink({ url: rx.url, minSeverity: "high", flushMs: 20, backoffMs: 20 });
    const log = new JsonlAuditLog(path.join(tmpDir(), "audit.jsonl"), { sinks: [alerts] });
    log.record({ event: "tool_call", severity: "info", tool: "a" });
    log.record({ event: "injection_detected", severity: "high", tool: "b" });
    log.record({ event: "access_denied", severity: "medium", tool: "c" });
    log.record({ event: "upstream_exit", severity: "critical" });
    expect(await until(() => rx.bodies.length > 0)).toBe(true);
    expect(rx.requests).toBe(3); // two 503s, then delivered
    const body = JSON.parse(rx.bodies[0]!);
    expect(body.source).toBe("portcullis");
    expect(body.alerts.map((a: { event: string }) => a.event)).toEqual(["injection_detected", "upstream_exit"]);
    expect(body.alerts[0].hash).toMatch(/^[0-9a-f]{64}$/); // the chained line itself
    await log.close();
    expect(alerts.dropped).toBe(0);
  });

  it("never blocks the data path while the receiver hangs, and gives up within bounds", async () => {
    const rx = await receiver(0, true);
    cleanups.push(rx.close);
    const alerts = new WebhookAlertSink({ url: rx.url, minSeverity: "low", flushMs: 5, timeoutMs: 100, retries: 1, backoffMs: 10, maxQueue: 50 });
    const log = new JsonlAuditLog(path.join(tmpDir(), "audit.jsonl"), { sinks: [alerts] });
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) log.record({ event: "access_denied", severity: "high", tool: `t${i}` });
    expect(performance.now() - t0).toBeLessThan(100);
    const c0 = Date.now();
    await log.close();
    expect(Date.now() - c0).toBeLessThan(4000);
    expect(alerts.dropped).toBeGreaterThanOrEqual(150); // bounded queue: the oldest were dropped
  });
});

describe("BatchSender", () => {
  it("keeps order, batches, and drops a batch after the retries run out", async () => {
    const sent: number[][] = [];
    let fail = 0;
    const s = new BatchSender<number>({ maxBatch: 3, flushMs: 5, backoffMs: 5, retries: 2, send: async (b) => { if (fail-- > 0) throw new Error("down"); sent.push(b); } });
    for (let i = 1; i <= 7; i++) s.push(i);
    expect(await until(() => s.delivered === 7)).toBe(true);
    expect(sent.flat()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(Math.max(...sent.map((b) => b.length))).toBe(3);
    fail = 100;
    s.push(8);
    expect(await until(() => s.dropped === 1)).toBe(true);
    fail = 0;
    s.push(9);
    await s.close();
    expect(sent.flat().at(-1)).toBe(9);
  });
});

describe("sinks", () => {
  it("http sink ships jsonl lines that still verify, and OTLP logs", async () => {
    const rx = await receiver(0);
    cleanups.push(rx.close);
    const dir = tmpDir();
    const jsonl = new HttpSink({ url: rx.url, flushMs: 5 });
    const otlp = new HttpSink({ url: rx.url, format: "otlp", flushMs: 5 });
    const log = new JsonlAuditLog(path.join(dir, "audit.jsonl"), { sinks: [jsonl, otlp] });
    for (let i = 0; i < 3; i++) log.record({ event: "tool_call", severity: "info", tool: `t${i}` });
    await log.close();
    const nd = rx.bodies.find((b) => b.startsWith("{\"seq\""))!;
    const remote = path.join(dir, "remote.jsonl");
    (await import("node:fs")).writeFileSync(remote, nd);
    expect(verifyChain([remote])).toMatchObject({ ok: true, lines: 3 });
    const o = JSON.parse(rx.bodies.find((b) => b.startsWith("{\"resourceLogs\""))!);
    const recs = o.resourceLogs[0].scopeLogs[0].logRecords;
    expect(recs).toHaveLength(3);
    expect(recs[0].attributes).toContainEqual({ key: "portcullis.event", value: { stringValue: "tool_call" } });
  });

  it("syslog over UDP and TCP on loopback (RFC 5424)", async () => {
    const udp = dgram.createSocket("udp4");
    const got: string[] = [];
    udp.on("message", (m) => got.push(m.toString()));
    await new Promise<void>((r) => udp.bind(0, "127.0.0.1", r));
    cleanups.push(async () => void udp.close());
    let tcpData = "";
    const tcp = net.createServer((s) => s.on("data", (d) => (tcpData += d)));
    await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => tcp.close(() => r())));
    const u = new SyslogSink({ host: "127.0.0.1", port: udp.address().port });
    const t = new SyslogSink({ host: "127.0.0.1", port: (tcp.address() as net.AddressInfo).port, protocol: "tcp", minSeverity: "medium" });
    const log = new JsonlAuditLog(path.join(tmpDir(), "audit.jsonl"), { sinks: [u, t] });
    log.record({ event: "tool_call", severity: "info" });
    log.record({ event: "access_denied", severity: "high" });
    expect(await until(() => got.length === 2 && tcpData.length > 0)).toBe(true);
    expect(got[1]).toMatch(/^<131>1 \d{4}-\d\d-\d\dT\S+ \S+ portcullis \d+ access_denied - \{"seq":2,/); // local0.err
    expect(tcpData).toMatch(/^\d+ <131>1 .* access_denied - \{"seq":2,/);
    expect(tcpData).not.toContain("tool_call");
    await log.close();
  });

  it("stream sink writes lines", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (d) => (text += d));
    const log = new JsonlAuditLog(path.join(tmpDir(), "audit.jsonl"), { sinks: [new StreamSink(out)] });
    log.record({ event: "tool_call", severity: "info" });
    await log.close();
    expect(text).toMatch(/^\{"seq":1,.*"hash":"[0-9a-f]{64}"\}\n$/);
  });
});
