#!/usr/bin/env node
// Soak / load: N tools/call through `portcullis wrap` (loopback stdio only) at concurrency C, with a
// mix of allowed, denied, redacted and injection-carrying results. Reports unexpected outcomes (must
// be 0), the wrap process's RSS at start and end, and latency percentiles. Not part of `npm test`.
//   node bench/soak.mjs [--calls 100000] [--concurrency 32]
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { setInterval, clearInterval } from "node:timers";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { calls: { type: "string" }, concurrency: { type: "string" } } });
const CALLS = Number(values.calls ?? process.env.SOAK_CALLS ?? 100_000);
const CONC = Number(values.concurrency ?? process.env.SOAK_CONCURRENCY ?? 32);
const WARMUP = Math.min(2000, Math.floor(CALLS / 10));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-soak-"));
const cfg = path.join(dir, "portcullis.yaml");
fs.writeFileSync(cfg, `servers:
  rec:
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(path.join(root, "test/fixtures/servers/recording-server.mjs"))}]
    trust: low
    rate_limit: { per_minute: 100000000 }
    tools: { deny: ["secret_*"] }
`);
const wrap = spawn(process.execPath, [path.join(root, "dist/cli/bin.js"), "wrap", "-c", cfg, "--state-dir", path.join(dir, ".portcullis"), "--name", "rec"], { cwd: dir, stdio: ["pipe", "pipe", "inherit"] });

const rssMb = (field = "VmRSS") => {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${wrap.pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : undefined;
  } catch {
    return undefined;
  }
};

const waiting = new Map();
let buf = "";
wrap.stdout.setEncoding("utf8");
wrap.stdout.on("data", (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf("\n")) !== -1) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const m = JSON.parse(line);
    const w = waiting.get(m.id);
    if (w) {
      waiting.delete(m.id);
      w(m);
    }
  }
});
let seq = 0;
const request = (method, params) => new Promise((resolve) => {
  const id = ++seq;
  waiting.set(id, resolve);
  wrap.stdin.write(JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n");
});

// The mix: 40% allowed echo, 20% denied by policy, 20% redacted secret, 20% injection in the result.
const KINDS = [
  { kind: "allowed", weight: 4, params: (n) => ({ name: "echo", arguments: { message: `m${n}` } }), ok: (m) => m.result?.content?.[0]?.text === `Echo: m${m.n}` },
  { kind: "denied", weight: 2, params: () => ({ name: "secret_admin", arguments: {} }), ok: (m) => m.result?.isError === true && m.result._meta?.portcullis?.code === "TOOL_DENIED" },
  { kind: "redacted", weight: 2, params: () => ({ name: "get_user", arguments: {} }), ok: (m) => !m.result?.isError && /REDACTED/.test(m.result?.content?.[0]?.text ?? "") && !/sk-live-4f9a/.test(JSON.stringify(m)) },
  { kind: "injected", weight: 2, params: () => ({ name: "fetch_page", arguments: {} }), ok: (m) => m.result?.isError === true && m.result._meta?.portcullis?.code === "INJECTION_DETECTED" },
];
const wheel = KINDS.flatMap((k) => Array(k.weight).fill(k));

const counts = Object.fromEntries(KINDS.map((k) => [k.kind, 0]));
const unexpected = [];
const lat = new Float64Array(CALLS);
const rssSeries = []; // wrap's RSS after every 10% of the calls
let done = 0;
let next = 0;

async function worker(total, record) {
  for (;;) {
    const n = next++;
    if (n >= total) return;
    const k = wheel[n % wheel.length];
    const t0 = performance.now();
    const m = await request("tools/call", k.params(n));
    const dt = performance.now() - t0;
    m.n = n;
    if (!record) continue;
    lat[done++] = dt;
    if (done % Math.max(1, Math.floor(CALLS / 10)) === 0) rssSeries.push(rssMb());
    counts[k.kind]++;
    if (!k.ok(m) && unexpected.length < 20) unexpected.push({ kind: k.kind, reply: JSON.stringify(m).slice(0, 300) });
    else if (!k.ok(m)) unexpected.push(null);
  }
}

await request("initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "soak", version: "1" } });
wrap.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
await Promise.all(Array.from({ length: CONC }, () => worker(WARMUP, false)));
next = 0;
const rssStart = rssMb();
const t0 = performance.now();
let lastReport = t0;
const progress = setInterval(() => {
  const now = performance.now();
  if (now - lastReport > 10_000) {
    lastReport = now;
    process.stderr.write(`soak: ${done}/${CALLS} calls, rss ${rssMb()} MB\n`);
  }
}, 1000);
await Promise.all(Array.from({ length: CONC }, () => worker(CALLS, true)));
clearInterval(progress);
const secs = (performance.now() - t0) / 1000;
const rssEnd = rssMb();
const peak = rssMb("VmHWM");
wrap.stdin.end();
await new Promise((r) => wrap.once("exit", r));

const sorted = Array.from(lat.subarray(0, done)).sort((a, b) => a - b);
const pct = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 1000) / 1000;
let auditLines = 0; // counted in chunks: a long soak's audit log is larger than one string can hold
{
  const fd = fs.openSync(path.join(dir, ".portcullis", "audit.jsonl"), "r");
  const chunk = Buffer.alloc(1 << 20);
  for (let n; (n = fs.readSync(fd, chunk)) > 0; ) for (let i = 0; i < n; i++) if (chunk[i] === 0x0a) auditLines++;
  fs.closeSync(fd);
}
const out = {
  bench: "soak", transport: "wrap (stdio)", calls: done, concurrency: CONC, seconds: Math.round(secs * 10) / 10, calls_per_s: Math.round(done / secs),
  mix: counts, unexpected: unexpected.length, rss_start_mb: rssStart, rss_end_mb: rssEnd, rss_peak_mb: peak, rss_every_10pct_mb: rssSeries,
  p50_ms: pct(50), p90_ms: pct(90), p99_ms: pct(99), max_ms: pct(100), audit_lines: auditLines,
};
console.log(JSON.stringify(out));
console.log(`\nsoak: ${done} calls at concurrency ${CONC} in ${out.seconds} s (${out.calls_per_s}/s)`);
console.log(`  mix          ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(", ")}`);
console.log(`  unexpected   ${unexpected.length}`);
console.log(`  wrap RSS     start ${rssStart} MB, end ${rssEnd} MB, peak ${peak} MB; every 10%: ${rssSeries.join(" ")}`);
console.log(`  latency ms   p50 ${out.p50_ms}  p90 ${out.p90_ms}  p99 ${out.p99_ms}  max ${out.max_ms}`);
for (const u of unexpected.filter(Boolean).slice(0, 5)) console.log(`  unexpected: ${JSON.stringify(u)}`);
fs.rmSync(dir, { recursive: true, force: true });
process.exit(unexpected.length === 0 ? 0 : 1);
