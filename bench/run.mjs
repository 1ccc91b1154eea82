#!/usr/bin/env node
// `npm run bench`: every benchmark in sequence (each prints JSON lines, then a table). Not timed tests.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const benches = ["echo-bench.mjs", "cpu-per-call.mjs", "serve-bench.mjs", "redact-bench.mjs", "detect-bench.mjs", "independent-bench.mjs", "soak.mjs"].filter((b) => fs.existsSync(path.join(here, b)));
let failed = 0;
for (const b of benches) {
  console.log(`\n== ${b}`);
  const r = spawnSync(process.execPath, [path.join(here, b)], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
