#!/usr/bin/env node
// Where the CPU goes: CPU time per echo call of each process (SDK client, proxy, server) directly,
// through the bare pipe relay, through a relay that only parses every message (parse-relay.mjs), and
// through `portcullis wrap` with the demo policy. On a machine the
// client, proxy and server share, throughput is bounded by their summed CPU per call, so this explains
// echo-bench's ratios and, unlike wall-clock throughput, hardly moves when other work shares the machine.
// Linux only (reads /proc). Usage: node bench/cpu-per-call.mjs   (BENCH_CALLS, BENCH_WARMUP,
// BENCH_MODES=pipe,guarded to run some modes only, BENCH_PROXY_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"
// to profile the guarded proxy)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { echoLoad } from "./echo-load.mjs";

if (!fs.existsSync("/proc/self/stat")) {
  console.log(JSON.stringify({ bench: "cpu_per_call", skipped: "needs /proc (Linux)" }));
  process.exit(0);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const server = [path.join(root, "node_modules/@modelcontextprotocol/server-everything/dist/index.js"), "stdio"];
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-cpu-"));
const modes = {
  direct: server,
  pipe: [path.join(root, "bench/pipe-relay.mjs"), process.execPath, ...server],
  parse: [path.join(root, "bench/parse-relay.mjs"), process.execPath, ...server],
  guarded: [...(process.env.BENCH_PROXY_NODE_ARGS?.split(" ").filter(Boolean) ?? []), path.join(root, "dist/cli/bin.js"), "wrap", "-c", path.join(root, "examples/demo/portcullis.yaml"), "--name", "everything", "--state-dir", stateDir, "--", process.execPath, ...server],
};
const CALLS = Number(process.env.BENCH_CALLS ?? 20000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3000);
const TICK_US = 1e6 / 100; // /proc times are in clock ticks (USER_HZ, 100 on Linux)

/** utime + stime of a process, in µs. */
const cpuOf = (pid) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * TICK_US;
};
const childOf = (pid) => Number(fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)[0]);

const only = process.env.BENCH_MODES?.split(",");
const rows = [];
for (const [mode, args] of Object.entries(modes)) {
  if (only && !only.includes(mode)) continue;
  const client = new Client({ name: "bench", version: "1" });
  const transport = new StdioClientTransport({ command: process.execPath, args, stderr: "ignore" });
  await client.connect(transport);
  await echoLoad(client, { calls: 200, concurrency: 16, warmup: WARMUP, label: mode });
  const proxy = mode === "direct" ? undefined : transport.pid;
  const srv = proxy ? childOf(proxy) : transport.pid;
  const before = { client: process.cpuUsage(), proxy: proxy ? cpuOf(proxy) : 0, server: cpuOf(srv) };
  const r = await echoLoad(client, { calls: CALLS, concurrency: 16, warmup: 0, label: mode });
  const c = process.cpuUsage(before.client);
  const per = (us) => Math.round((us / CALLS) * 10) / 10;
  const row = { mode, client_us: per(c.user + c.system), proxy_us: proxy ? per(cpuOf(proxy) - before.proxy) : 0, server_us: per(cpuOf(srv) - before.server), calls_per_s: Math.round(r.calls_per_s) };
  row.total_us = Math.round((row.client_us + row.proxy_us + row.server_us) * 10) / 10;
  rows.push(row);
  console.log(JSON.stringify({ bench: "cpu_per_call", calls: CALLS, warmup: WARMUP, concurrency: 16, ...row }));
  await client.close();
}
console.log("\nmode      client µs  proxy µs  server µs  total µs/call   (CPU per echo call at concurrency 16)");
for (const r of rows) console.log(`${r.mode.padEnd(9)} ${String(r.client_us).padStart(9)} ${String(r.proxy_us).padStart(9)} ${String(r.server_us).padStart(10)} ${String(r.total_us).padStart(9)}`);
const pipe = rows.find((r) => r.mode === "pipe");
const guarded = rows.find((r) => r.mode === "guarded");
if (pipe && guarded) console.log(`guarded:pipe bound by CPU on a shared machine ≈ ${(pipe.total_us / guarded.total_us).toFixed(2)} (pipe total / guarded total)`);
fs.rmSync(stateDir, { recursive: true, force: true });
