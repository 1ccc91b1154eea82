#!/usr/bin/env node
// The detector on text it was never tuned on: bench/independent/*.jsonl were written from scratch
// for this purpose, without reading the detector or ../shared/data. dev*.jsonl are for finding gaps
// (their misses were read, so they are no longer independent); sealed*.jsonl are only ever scored,
// never read for tuning. Prints precision, recall and false-positive rate per kind.
//
//   node bench/independent-bench.mjs [FILE...]   (default: every file there)
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { detectInjection } from "../dist/layers/injection/detect-injection.js";
import { classificationMetrics } from "./classification-metrics.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dir = join(root, "bench", "independent");
const files = process.argv.slice(2).length ? process.argv.slice(2) : readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort().map((f) => join(dir, f));
const pct = (x) => (100 * x).toFixed(1).padStart(6) + "%";

for (const file of files) {
  if (!existsSync(file)) continue;
  const items = readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  console.log(`\n${relative(root, resolve(file))} (${items.length} items), threshold default`);
  console.log("kind          n   P       R       FPR     F1");
  for (const kind of ["output", "description", "prompt", "all"]) {
    const set = kind === "all" ? items : items.filter((i) => i.kind === kind);
    if (set.length === 0) continue;
    const m = classificationMetrics(set, (it) => it.label === "injection", (it) => detectInjection(it.text, { kind: it.kind }).verdict === "injection");
    console.log(`${kind.padEnd(12)}${String(set.length).padStart(4)} ${pct(m.precision)} ${pct(m.recall)} ${pct(m.fpr)} ${pct(m.f1)}`);
  }
}
