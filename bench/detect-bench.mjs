#!/usr/bin/env node
// Benchmark of the prompt-injection detector on the dev data (npm run bench:detect).
//
// 1. HELD-OUT: `scripts/train-injection-model.mjs --cv-only` (grouped 4-fold CV: a validation
//    item's attack family, carrier document and payload text are never in its training folds;
//    the combiner is cross-fitted too). This is the estimate that matters.
// 2. IN-SAMPLE: the committed model (trained on all of this data) at each threshold, and by tag.
//    An upper bound, not a measure of quality.
// 3. Speed: throughput on benign outputs, and latency for a 10 KB output.
//
//   node bench/detect-bench.mjs [DATA_DIR] [--no-cv] [--speed-only]
//
// --speed-only: only 3 (to compare builds, run the old and the new one alternately).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { detectInjection, THRESHOLDS } from "../dist/layers/injection/detect-injection.js";
import { classificationMetrics } from "./classification-metrics.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const argv = process.argv.slice(2);
const dataDir = resolve(argv.find((a) => !a.startsWith("--")) ?? join(root, "..", "shared", "data"));

const speedOnly = argv.includes("--speed-only");
if (!argv.includes("--no-cv") && !speedOnly) {
  console.log("=== HELD-OUT (family-, carrier- and payload-grouped 4-fold CV; scripts/train-injection-model.mjs --cv-only)");
  const cv = spawnSync(process.execPath, [join(root, "scripts", "train-injection-model.mjs"), "--cv-only", "--data", dataDir], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (cv.status !== 0) {
    process.stderr.write(cv.stderr);
    process.exit(1);
  }
  process.stdout.write(cv.stdout);
  console.log("\n=== IN-SAMPLE (the committed model was trained on this data: an upper bound)");
}
const files = [["outputs.jsonl", "output"], ["descriptions.jsonl", "description"], ["prompts.jsonl", "prompt"]];
const items = [];
for (const [file, kind] of files) {
  for (const line of readFileSync(join(dataDir, file), "utf8").split("\n")) if (line.trim()) items.push({ kind, ...JSON.parse(line) });
}

const pct = (x) => (100 * x).toFixed(1).padStart(6) + "%";
const metrics = (set, flag) => classificationMetrics(set, (it) => it.label === "injection", flag);

// The verdict, not the bare score: an output verdict resting on the model alone needs the higher bar.
if (!speedOnly) inSample();
function inSample() {
  for (const it of items) it.flag = Object.fromEntries(Object.keys(THRESHOLDS).map((name) => [name, detectInjection(it.text, { kind: it.kind, threshold: name }).verdict === "injection"]));
  for (const [name, th] of Object.entries(THRESHOLDS)) {
    console.log(`\nthreshold ${name} (${th})\nkind          n  precision  recall     FPR      F1`);
    for (const kind of ["output", "description", "prompt"]) {
      const m = metrics(items.filter((i) => i.kind === kind), (i) => i.flag[name]);
      console.log(`${kind.padEnd(11)} ${String(m.n).padStart(5)} ${pct(m.precision)} ${pct(m.recall)} ${pct(m.fpr)} ${pct(m.f1)}`);
    }
  }
  console.log(`\nby tag (threshold default): detection rate for injection tags, false-alarm rate for benign tags`);
  const tags = new Map();
  for (const it of items) {
    const k = `${it.kind}/${it.label === "injection" ? "inj" : "ben"}/${it.tag}`;
    (tags.get(k) ?? tags.set(k, []).get(k)).push(it);
  }
  for (const [k, set] of [...tags].sort()) {
    const hit = set.filter((i) => i.flag.default).length;
    console.log(`  ${k.padEnd(68)} ${String(hit).padStart(4)}/${String(set.length).padEnd(4)} ${pct(hit / set.length)}`);
  }
}

// Throughput on benign text, and latency for a 10 KB tool output.
const benign = items.filter((i) => i.label === "benign" && i.kind === "output").map((i) => i.text);
const corpus = benign.join("\n\n");
for (let i = 0; i < 3; i++) for (const t of benign) detectInjection(t);
let bytes = 0;
const t0 = performance.now();
while (performance.now() - t0 < 3000) for (const t of benign) {
  detectInjection(t);
  bytes += Buffer.byteLength(t);
}
const secs = (performance.now() - t0) / 1000;
console.log(`\nthroughput on benign outputs (per-document calls): ${(bytes / 1e6 / secs).toFixed(1)} MB/s`);
let ten = "";
for (const t of benign) if ((ten += t + "\n\n").length >= 10240) break;
ten = ten.slice(0, 10240);
const lat = [];
for (let i = 0; i < 200; i++) detectInjection(ten);
for (let i = 0; i < 2000; i++) {
  const a = performance.now();
  detectInjection(ten);
  lat.push(performance.now() - a);
}
lat.sort((a, b) => a - b);
console.log(`10 KB output: p50 ${lat[1000].toFixed(3)} ms, p99 ${lat[1980].toFixed(3)} ms (corpus ${(corpus.length / 1e6).toFixed(2)} MB, load average ${loadavg()[0].toFixed(2)})`);
