// Throughput of the redaction layer's core on a generated mixed corpus (JSON tool results and
// free text, with a few secrets sprinkled in). Needs a build: `npx tsc -p tsconfig.build.json`.
// Prints one JSON line: {"bench":"redact", "mb_per_s":..., ...}.
import { loadavg } from "node:os";
import { createTextRedactor, redactJson } from "../dist/layers/redaction/index.js";

const TARGET_BYTES = Number(process.env.REDACT_BENCH_MB ?? 8) * 1024 * 1024;
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = (a) => a[Math.floor(rnd() * a.length)];
const hex = (n) => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(rnd() * 16)]).join("");
const b64 = (n) => Array.from({ length: n }, () => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[Math.floor(rnd() * 64)]).join("");
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
const WORDS = "the a of to and in is for on with that by this from at as are be or it was an not which have has can will data file server request user token password value key config result error build release version api client session cache page list".split(" ");
const sentence = () => Array.from({ length: 8 + Math.floor(rnd() * 12) }, () => pick(WORDS)).join(" ") + ". ";
// Fake, format-valid secrets (built by concatenation so no full token literal sits in the source).
const SECRETS = [
  () => "AKIA" + "IOSFODNN7EXAMPLE",
  () => "ghp" + "_" + b64(36).replace(/[+/]/g, "x"),
  () => "password=" + b64(12).replace(/[+/]/g, "q"),
  () => "4111 1111 " + "1111 1111",
  () => "postgres://app:" + hex(10) + "@db.internal:5432/app",
];
const textDoc = () => {
  let s = "";
  while (s.length < 4000) {
    s += rnd() < 0.15 ? `commit ${hex(40)} at ${new Date(1.7e12 + rnd() * 1e10).toISOString()} id=${uuid()} size=${Math.floor(rnd() * 1e6)}\n` : sentence();
    if (rnd() < 0.03) s += ` ${pick(SECRETS)()} `;
  }
  return s;
};
const jsonDoc = () => ({
  content: [{ type: "text", text: textDoc().slice(0, 1500) }],
  structuredContent: {
    items: Array.from({ length: 12 }, (_, i) => ({
      id: uuid(), name: sentence().slice(0, 30), sha256: hex(64), count: i * 37, price: rnd() * 100, active: rnd() < 0.5,
      created: new Date(1.7e12 + rnd() * 1e10).toISOString(), tags: [pick(WORDS), pick(WORDS)],
      ...(rnd() < 0.05 ? { api_key: b64(32) } : {}),
    })),
    thumbnail: "data:image/png;base64," + b64(600),
  },
});

const texts = [];
const jsons = [];
let textBytes = 0;
let jsonBytes = 0;
while (textBytes + jsonBytes < TARGET_BYTES) {
  if (rnd() < 0.5) { const t = textDoc(); texts.push(t); textBytes += Buffer.byteLength(t); }
  else { const j = jsonDoc(); jsons.push(j); jsonBytes += Buffer.byteLength(JSON.stringify(j)); }
}

const redactor = createTextRedactor();
const run = () => {
  let findings = 0;
  const t0 = process.hrtime.bigint();
  for (const t of texts) findings += redactor.redact(t).findings.length;
  const t1 = process.hrtime.bigint();
  for (const j of jsons) findings += redactJson(j, redactor).findings.length;
  const t2 = process.hrtime.bigint();
  return { text_s: Number(t1 - t0) / 1e9, json_s: Number(t2 - t1) / 1e9, findings };
};
run(); // warm-up: JIT and regex compilation
const best = [run(), run(), run()].sort((a, b) => a.text_s + a.json_s - (b.text_s + b.json_s))[0];
const mb = (bytes) => bytes / 1024 / 1024;
const r2 = (x) => Math.round(x * 10) / 10;
console.log(JSON.stringify({
  bench: "redact",
  corpus_mb: r2(mb(textBytes + jsonBytes)),
  mb_per_s: r2(mb(textBytes + jsonBytes) / (best.text_s + best.json_s)),
  text_mb_per_s: r2(mb(textBytes) / best.text_s),
  json_mb_per_s: r2(mb(jsonBytes) / best.json_s),
  findings: best.findings,
  target_mb_per_s: 100,
  load_avg_1m: Math.round(loadavg()[0] * 100) / 100, // the machine is shared: numbers are noisy under load
}));
