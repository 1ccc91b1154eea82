#!/usr/bin/env node
// Throughput and latency of server-everything's `echo` called by the real SDK client: directly, through
// a bare byte-pipe relay, and through `portcullis wrap` with the demo policy. All three are measured
// in the same run, interleaved, so machine noise hits them alike. Prints SPEC's JSON lines, then a table.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { echoLoad, median } from "./echo-load.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const server = [path.join(root, "node_modules/@modelcontextprotocol/server-everything/dist/index.js"), "stdio"];
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-"));
const modes = {
  direct: server,
  pipe: [path.join(root, "bench/pipe-relay.mjs"), process.execPath, ...server],
  guarded: [path.join(root, "dist/cli/bin.js"), "wrap", "-c", path.join(root, "examples/demo/portcullis.yaml"), "--name", "everything", "--state-dir", stateDir, "--", process.execPath, ...server],
};
const CALLS = Number(process.env.BENCH_CALLS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Calls before measuring: enough for V8 to finish optimising the hot paths of every process (a
// long-running proxy is measured in its steady state, not while its JIT is still compiling).
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3000);

async function measure(mode, concurrency) {
  const client = new Client({ name: "bench", version: "1" });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: modes[mode], stderr: "ignore" }));
  const r = await echoLoad(client, { calls: CALLS, concurrency, warmup: WARMUP, label: mode });
  await client.close();
  return r;
}

const r3 = (x) => Math.round(x * 1000) / 1000;
const rows = [];
for (const concurrency of [1, 16]) {
  const runs = { direct: [], pipe: [], guarded: [] };
  for (let round = 0; round < ROUNDS; round++) for (const mode of Object.keys(modes)) runs[mode].push(await measure(mode, concurrency));
  const agg = Object.fromEntries(Object.entries(runs).map(([m, rs]) => [m, {
    calls_per_s: Math.round(median(rs.map((r) => r.calls_per_s))), p50_ms: r3(median(rs.map((r) => r.p50_ms))), p99_ms: r3(median(rs.map((r) => r.p99_ms))),
  }]));
  const line = {
    bench: `echo_c${concurrency}`, calls: CALLS, rounds: ROUNDS, direct: agg.direct, pipe: agg.pipe, guarded: agg.guarded,
    ratio: r3(agg.guarded.calls_per_s / agg.direct.calls_per_s),
    ratio_vs_pipe: r3(agg.guarded.calls_per_s / agg.pipe.calls_per_s),
    pipe_ratio: r3(agg.pipe.calls_per_s / agg.direct.calls_per_s),
    added_p50_ms: r3(agg.guarded.p50_ms - agg.direct.p50_ms),
    added_p50_vs_pipe_ms: r3(agg.guarded.p50_ms - agg.pipe.p50_ms),
    added_p99_ms: r3(agg.guarded.p99_ms - agg.direct.p99_ms),
  };
  rows.push(line);
  console.log(JSON.stringify(line));
}
console.log("\nconcurrency  direct/s  pipe/s  guarded/s  guarded:pipe  guarded:direct  p50 direct/pipe/guarded ms  added p50 ms");
for (const r of rows) {
  console.log(`${r.bench.padEnd(12)} ${String(r.direct.calls_per_s).padStart(8)} ${String(r.pipe.calls_per_s).padStart(7)} ${String(r.guarded.calls_per_s).padStart(10)} ${r.ratio_vs_pipe.toFixed(3).padStart(13)} ${r.ratio.toFixed(3).padStart(15)}  ${`${r.direct.p50_ms}/${r.pipe.p50_ms}/${r.guarded.p50_ms}`.padStart(26)} ${r.added_p50_ms.toFixed(3).padStart(13)}`);
}
console.log("targets: guarded:pipe >= 0.90 at concurrency 16; added p50 <= 0.1 ms at concurrency 1 (SPEC / issue 3).");
fs.rmSync(stateDir, { recursive: true, force: true });
