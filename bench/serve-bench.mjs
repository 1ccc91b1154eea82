#!/usr/bin/env node
// Streamable HTTP throughput and latency of server-everything's `echo`, called by the real SDK client:
//   direct       server-everything's own Streamable HTTP endpoint (`index.js streamableHttp`)
//   portcullis   `portcullis serve` with every default layer, fronting server-everything over stdio
//   supergateway `supergateway --stdio ... --outputTransport streamableHttp --stateful` (checks nothing)
//   mcp_proxy    `mcp-proxy --server stream -- ...` (checks nothing)
// at concurrency 1 and 16, interleaved rounds in one run so machine noise hits every mode alike. Each
// measurement opens a fresh session (so each proxy spawns a fresh upstream), warms up, then times
// BENCH_CALLS calls. Prints JSON lines, then a table. Everything listens on 127.0.0.1.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { echoLoad, median } from "./echo-load.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const everything = path.join(root, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const CALLS = Number(process.env.BENCH_CALLS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? "1,16").split(",").map(Number);
// BENCH_MODES=portcullis,direct limits the modes; BENCH_PORTCULLIS_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
// profiles the gateway (written when it exits at the end of the run).
const MODES = (process.env.BENCH_MODES ?? "direct,portcullis,supergateway,mcp_proxy").split(",");
const PORTCULLIS_NODE_ARGS = (process.env.BENCH_PORTCULLIS_NODE_ARGS ?? "").split(" ").filter(Boolean);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-serve-bench-"));

// server-everything's and supergateway's Express apps listen on every interface and take no host
// option; this preload pins a bare `listen(port[, cb])` to loopback.
const LOOPBACK_PRELOAD = `data:text/javascript,${encodeURIComponent(
  'import net from "node:net"; const l = net.Server.prototype.listen; net.Server.prototype.listen = function (...a) { if (typeof a[0] === "number" || (typeof a[0] === "string" && /^\\d+$/.test(a[0]))) { const cb = a.find((x) => typeof x === "function"); return cb ? l.call(this, Number(a[0]), "127.0.0.1", cb) : l.call(this, Number(a[0]), "127.0.0.1"); } return l.apply(this, a); };',
)}`;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const children = [];
function start(name, args, env = {}) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"], detached: true });
  let err = "";
  child.stderr.on("data", (d) => (err = (err + d).slice(-4000)));
  child.on("exit", (code, sig) => {
    if (!stopping) {
      console.error(`${name} exited (${code ?? sig}):\n${err}`);
      process.exitCode = 1;
    }
  });
  children.push(child);
  return child;
}

async function waitForPort(port, name) {
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, "127.0.0.1", () => (c.end(), resolve(true)));
      c.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not listen on 127.0.0.1:${port}`);
}

const ports = { direct: await freePort(), portcullis: await freePort(), supergateway: await freePort(), mcp_proxy: await freePort() };
const ratio = (a, b) => (a && b ? r3(a.calls_per_s / b.calls_per_s) : null);
const config = path.join(tmp, "portcullis.yaml");
fs.writeFileSync(config, [
  "servers:",
  "  everything:",
  `    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(everything)}, stdio]`,
  "    trust: medium",
  "    # The limiter stays on (its cost is measured) but never refuses the benchmark's calls.",
  "    rate_limit: { per_minute: 1000000 }",
  "    tools:",
  '      allow: ["echo", "get-sum", "get-tiny-image", "trigger-long-running-operation", "get-annotated-message"]',
  "      policies:",
  "        echo: { arguments: { message: { max_length: 4096 } } }",
  "",
].join("\n"));

// undici (fetch) drops a request's abort listener only when the request is garbage-collected, so the
// SDK client's one long-lived AbortSignal trips Node's listener-count warning on long runs. Harmless
// for the measurement (every mode uses the same client); silence that one warning.
process.removeAllListeners("warning");
process.on("warning", (w) => w.name !== "MaxListenersExceededWarning" && console.error(w));

let stopping = false;
if (MODES.includes("direct")) start("server-everything", ["--import", LOOPBACK_PRELOAD, everything, "streamableHttp"], { PORT: String(ports.direct) });
if (MODES.includes("portcullis")) start("portcullis", [...PORTCULLIS_NODE_ARGS, path.join(root, "dist/cli/bin.js"), "serve", "-c", config, "--host", "127.0.0.1", "--port", String(ports.portcullis), "--state-dir", path.join(tmp, "state")]);
if (MODES.includes("supergateway")) start("supergateway", ["--import", LOOPBACK_PRELOAD, path.join(root, "node_modules/supergateway/dist/index.js"), "--stdio", `${JSON.stringify(process.execPath)} ${JSON.stringify(everything)} stdio`, "--outputTransport", "streamableHttp", "--stateful", "--port", String(ports.supergateway), "--logLevel", "none"]);
if (MODES.includes("mcp_proxy")) start("mcp-proxy", [path.join(root, "node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs"), "--host", "127.0.0.1", "--port", String(ports.mcp_proxy), "--server", "stream", "--", process.execPath, everything, "stdio"]);
const urls = {
  direct: `http://127.0.0.1:${ports.direct}/mcp`,
  portcullis: `http://127.0.0.1:${ports.portcullis}/mcp/everything`,
  supergateway: `http://127.0.0.1:${ports.supergateway}/mcp`,
  mcp_proxy: `http://127.0.0.1:${ports.mcp_proxy}/mcp`,
};

function stop() {
  stopping = true;
  for (const c of children) if (c.exitCode === null) try { process.kill(-c.pid, "SIGTERM"); } catch { /* gone */ }
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.on("SIGINT", () => (stop(), process.exit(130)));

async function measure(mode, concurrency) {
  const client = new Client({ name: "serve-bench", version: "1" });
  const transport = new StreamableHTTPClientTransport(new URL(urls[mode]));
  await client.connect(transport);
  const r = await echoLoad(client, { calls: CALLS, concurrency, warmup: WARMUP, label: mode });
  await transport.terminateSession().catch(() => {});
  await client.close();
  return r;
}

const r3 = (x) => Math.round(x * 1000) / 1000;
const modes = Object.keys(urls).filter((m) => MODES.includes(m));
const rows = [];
try {
  await Promise.all(modes.map((m) => waitForPort(ports[m], m)));
  for (const concurrency of CONCURRENCY) {
    const load_before = r3(os.loadavg()[0]);
    const runs = Object.fromEntries(modes.map((m) => [m, []]));
    for (let round = 0; round < ROUNDS; round++) for (const mode of modes) runs[mode].push(await measure(mode, concurrency));
    const agg = Object.fromEntries(Object.entries(runs).map(([m, rs]) => [m, {
      calls_per_s: Math.round(median(rs.map((r) => r.calls_per_s))), p50_ms: r3(median(rs.map((r) => r.p50_ms))), p99_ms: r3(median(rs.map((r) => r.p99_ms))),
    }]));
    const line = {
      bench: `serve_echo_c${concurrency}`, calls: CALLS, rounds: ROUNDS,
      direct: agg.direct, portcullis: agg.portcullis, supergateway: agg.supergateway, mcp_proxy: agg.mcp_proxy,
      ratio_vs_direct: ratio(agg.portcullis, agg.direct),
      ratio_vs_supergateway: ratio(agg.portcullis, agg.supergateway),
      ratio_vs_mcp_proxy: ratio(agg.portcullis, agg.mcp_proxy),
      added_p50_ms: agg.portcullis && agg.direct ? r3(agg.portcullis.p50_ms - agg.direct.p50_ms) : null,
      added_p99_ms: agg.portcullis && agg.direct ? r3(agg.portcullis.p99_ms - agg.direct.p99_ms) : null,
      load_before, load_after: r3(os.loadavg()[0]), cpus: os.cpus().length,
    };
    rows.push(line);
    console.log(JSON.stringify(line));
  }
} finally {
  stop();
}
console.log("\nbench            direct/s  portcullis/s  supergateway/s  mcp-proxy/s  p:direct  p:supergw  p:mcp-proxy  p50 ms (modes in order)        added p50 ms");
const n = (x, w) => String(x ?? "-").padStart(w);
const f = (x, w) => (x == null ? "-" : x.toFixed(3)).padStart(w);
for (const r of rows) {
  console.log(`${r.bench.padEnd(15)} ${n(r.direct?.calls_per_s, 9)} ${n(r.portcullis?.calls_per_s, 13)} ${n(r.supergateway?.calls_per_s, 15)} ${n(r.mcp_proxy?.calls_per_s, 12)} ${f(r.ratio_vs_direct, 9)} ${f(r.ratio_vs_supergateway, 10)} ${f(r.ratio_vs_mcp_proxy, 12)}  ${modes.map((m) => r[m]?.p50_ms ?? "-").join("/").padStart(30)} ${f(r.added_p50_ms, 13)}`);
}
console.log("targets (issue 7): portcullis >= 1.0x each plain proxy's calls/s and >= 0.90x direct; added p50 <= 0.5 ms over direct.");
process.exit(process.exitCode ?? 0);
