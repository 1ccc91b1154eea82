#!/usr/bin/env node
// Trains the hashed n-gram injection model and the rule/model combiner on the dev data, reports
// grouped cross-validation metrics, then writes src/layers/injection/model-weights.ts.
//
//   npx tsc -p tsconfig.build.json && node scripts/train-injection-model.mjs [--data ../shared/data] [--no-write]
//
// It imports the compiled normaliser, rules and feature extractor from dist/, so training and
// run time tokenise identically. Deterministic: seeded shuffles, no wall-clock input.
//
// Validation: 4-fold CV grouped by *attack family* (injections) and by *source document family*
// (benign: npm package / repo file). A validation item's attack family is never seen in training,
// nor is the package its carrier text came from, nor any injection sharing a word 8-gram of its
// payload (the same attack string filed under another family), so the numbers measure
// generalisation to new wrappers, new attack texts and new documents, not memorisation.
//
// Options: --cv-only (held-out report only: no final model, nothing written; bench/detect-bench.mjs
// runs this), --no-write, --dump FILE, --epochs N, --window N, --stride N, --l2 X, --lr X, --bits N,
// --benign-weight N, --no-synthetic, --data DIR.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { classificationMetrics } from "../bench/classification-metrics.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({ options: { data: { type: "string" }, "no-write": { type: "boolean" }, epochs: { type: "string" }, window: { type: "string" }, stride: { type: "string" }, dump: { type: "string" }, "benign-weight": { type: "string" }, "no-synthetic": { type: "boolean" }, l2: { type: "string" }, lr: { type: "string" }, bits: { type: "string" }, "cv-only": { type: "boolean" } } });
const dataDir = resolve(args.data ?? join(root, "..", "shared", "data"));
const dist = join(root, "dist", "layers", "injection");
const { gatherEvidence, verdictBar } = await import(join(dist, "detect-injection.js"));
const { extractFeatures, FEATURES_PER_TOKEN } = await import(join(dist, "ngram-features.js"));
const { bestWindow } = await import(join(dist, "hashed-ngram-model.js"));

const BITS = Number(args.bits ?? 18);
const WINDOW = Number(args.window ?? 10);
const STRIDE = Number(args.stride ?? 4);
const EPOCHS = Number(args.epochs ?? 12);
const L2 = Number(args.l2 ?? 1e-4);
const LR = Number(args.lr ?? 0.2);
const FOLDS = 4;
const KINDS = ["output", "description", "prompt"];
// False alarms on real data are the failure mode that gets detectors switched off: the combiner
// counts a benign error this many times a missed injection.
const BENIGN_WEIGHT = Number(args["benign-weight"] ?? 5);

// ---- data ------------------------------------------------------------------------------------
const items = [];
for (const [file, kind] of [["outputs.jsonl", "output"], ["descriptions.jsonl", "description"], ["prompts.jsonl", "prompt"]]) {
  for (const line of readFileSync(join(dataDir, file), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    items.push({ id: r.id, kind, y: r.label === "injection" ? 1 : 0, tag: r.tag, source: r.source, text: r.text });
  }
}

function fnv(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
/** The carrier document's family: npm package (any version) or repo file; dataset-level files are split by id. */
function contextKey(it) {
  const src = it.source.split("+")[0];
  if (src.startsWith("npm:")) return "npm:" + src.slice(4).replace(/@[^@/ ]*(?: .*)?$/, "");
  return src + "#" + (Number(it.id.replace(/\D/g, "")) % 9);
}
// Synthetic benign corpus (scripts/gen-benign-corpus.mjs, regenerated deterministically): ordinary
// structured data and non-English business text, so the model cannot learn "JSON" or "not English"
// as signs of injection. Grouped by generator for cross-validation; reported separately.
if (!args["no-synthetic"]) {
  const { generateBenignCorpus } = await import("./gen-benign-corpus.mjs");
  for (const r of generateBenignCorpus()) items.push({ id: r.id, kind: r.kind, y: 0, tag: r.tag, source: "synthetic:" + r.group, text: r.text, syn: true, group: r.group });
}
const dev = items.filter((it) => !it.syn);
const syn = items.filter((it) => it.syn);

for (const it of items) {
  if (it.syn) {
    it.primary = "syn:" + it.group;
    it.keys = [it.primary];
    continue;
  }
  const family = it.tag.includes("+") ? it.tag.split("+")[1] : it.tag;
  it.primary = it.y ? "attack:" + family : "ctx:" + contextKey(it);
  it.keys = it.y ? [it.primary, ...(it.tag.includes("+") ? ["ctx:" + contextKey(it)] : [])] : [it.primary];
}
const foldOf = (key) => fnv("portcullis-cv/" + key) % FOLDS;

// ---- carrier removal ------------------------------------------------------------------------
// A composed injection is a benign document with a payload inserted at its start, middle or end.
// When the benign twin is in the data, the model trains on the payload alone: otherwise it learns
// the carrier ("Mercury checking account", README prose) as a sign of injection and raises false
// alarms on ordinary emails and docs. Rules and the combiner still see the full texts.
{
  const byHead = new Map();
  const byTail = new Map();
  const add = (m, k, v) => (m.get(k) ?? m.set(k, []).get(k)).push(v);
  for (const b of items) if (!b.y && b.text.length >= 40) {
    add(byHead, b.kind + b.text.slice(0, 30), b);
    add(byTail, b.kind + b.text.slice(-30), b);
  }
  let extracted = 0;
  for (const it of items) {
    if (!it.y || !it.tag.includes("+")) continue;
    const cands = [...(byHead.get(it.kind + it.text.slice(0, 30)) ?? []), ...(byTail.get(it.kind + it.text.slice(-30)) ?? [])];
    let best;
    for (const b of cands) {
      let p = 0;
      while (p < b.text.length && p < it.text.length && b.text[p] === it.text[p]) p++;
      let q = 0;
      while (q < b.text.length - p && q < it.text.length - p && b.text[b.text.length - 1 - q] === it.text[it.text.length - 1 - q]) q++;
      if (p + q >= b.text.length * 0.9 && (!best || p + q > best.cover)) best = { cover: p + q, payload: it.text.slice(p, it.text.length - q) };
    }
    if (best && best.payload.trim().length >= 8) {
      it.trainText = best.payload;
      extracted++;
    }
  }
  console.error(`payload extracted for ${extracted} composed injections`);
}

// ---- features (once) -------------------------------------------------------------------------
const zeroModel = { bits: BITS, window: WINDOW, stride: STRIDE, bias: 0, weights: new Float32Array(1 << BITS) };
const t0 = performance.now();
for (const it of items) {
  const ev = gatherEvidence(it.text, it.kind, zeroModel);
  it.ruleLogit = ev.ruleLogit;
  it.rules = ev.hits.map((h) => h.rule.id);
  it.issued = ev.issued;
  it.strongestIssued = ev.strongestIssued;
  it.issuedRules = ev.issuedRules;
  it.mentions = ev.mentions;
  const f = extractFeatures(ev.norm.text, BITS);
  it.ids = f.ids.slice(0, f.count * FEATURES_PER_TOKEN);
  it.count = f.count;
  if (it.trainText !== undefined) {
    const g = extractFeatures(gatherEvidence(it.trainText, it.kind, zeroModel).norm.text, BITS);
    it.train = { ids: g.ids.slice(0, g.count * FEATURES_PER_TOKEN), count: g.count, y: 1 };
  } else it.train = it;
}
console.error(`features for ${items.length} items in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// ---- model: multiple-instance logistic regression over token windows -------------------------
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
function contributions(it, w) {
  const c = new Float64Array(it.count);
  for (let t = 0; t < it.count; t++) {
    let s = 0;
    for (let k = 0; k < FEATURES_PER_TOKEN; k++) {
      const id = it.ids[t * FEATURES_PER_TOKEN + k];
      if (id >= 0) s += w[id];
    }
    c[t] = s;
  }
  return c;
}
function modelLogit(it, w, bias) {
  const c = contributions(it, w);
  return bias + bestWindow(c, it.count, WINDOW, STRIDE).sum;
}
function train(set, seed) {
  const w = new Float32Array(1 << BITS);
  const g2 = new Float32Array(1 << BITS);
  let bias = 0;
  let bg2 = 0;
  const lr = LR;
  const l2 = L2;
  const pos = set.filter((it) => it.y).length;
  const wPos = set.length / (2 * Math.max(1, pos));
  const wNeg = set.length / (2 * Math.max(1, set.length - pos));
  const order = set.map((it) => it.train);
  const rand = rng(seed);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const it of order) {
      if (it.count === 0) continue;
      const c = contributions(it, w);
      const best = bestWindow(c, it.count, WINDOW, STRIDE);
      const z = bias + best.sum;
      const p = 1 / (1 + Math.exp(-z));
      const g = (p - it.y) * (it.y ? wPos : wNeg);
      for (let t = best.from; t < best.to; t++) {
        for (let k = 0; k < FEATURES_PER_TOKEN; k++) {
          const id = it.ids[t * FEATURES_PER_TOKEN + k];
          if (id < 0) continue;
          const grad = g + l2 * w[id];
          g2[id] += grad * grad;
          w[id] -= (lr * grad) / Math.sqrt(g2[id] + 1e-8);
        }
      }
      bg2 += g * g;
      bias -= (lr * g) / Math.sqrt(bg2 + 1e-8);
      // Benign text: every window is a negative, not just the worst one, so carrier text (email
      // headers, README prose) that also surrounds injections learns to weigh against them.
      if (!it.y && it.count > WINDOW) {
        for (let from = 0; from < it.count; from += WINDOW) {
          const to = Math.min(it.count, from + WINDOW);
          let sum = bias;
          for (let t = from; t < to; t++) sum += c[t];
          const gw = (1 / (1 + Math.exp(-sum))) * wNeg * 0.5;
          if (gw < 1e-3) continue;
          for (let t = from; t < to; t++) {
            for (let k = 0; k < FEATURES_PER_TOKEN; k++) {
              const id = it.ids[t * FEATURES_PER_TOKEN + k];
              if (id < 0) continue;
              const grad = gw + l2 * w[id];
              g2[id] += grad * grad;
              w[id] -= (lr * grad) / Math.sqrt(g2[id] + 1e-8);
            }
          }
        }
      }
    }
  }
  return { w, bias };
}

// ---- grouped cross-validation ----------------------------------------------------------------
// ---- payload keys: the same attack text under another family name ----------------------------
// Families are not disjoint in their texts: a BIPIA attack appears both in a README
// (`doc-readme+bipia-text`) and in an email under its category (`email+bipia-task-automation`),
// AgentDojo goals appear in every wrapper, CyberSecEval payloads recur across variants. Holding out
// a family alone would still train on its attack strings. Every injection gets a key per word
// 8-gram of its payload (the inserted text for composed items); a training item may share no key
// (family, carrier document or payload 8-gram) with any validation item of its fold.
{
  const words = (s) => s.toLowerCase().normalize("NFKC").split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  for (const it of items) {
    if (!it.y) continue;
    const w = words(it.trainText ?? it.text);
    const grams = new Set();
    if (w.length < 8) grams.add(w.join(" "));
    else for (let k = 0; k + 8 <= w.length; k++) grams.add(w.slice(k, k + 8).join(" "));
    for (const g of grams) if (g) it.keys.push("pl:" + fnv(g).toString(36));
  }
}
/** Validation fold `f`, and the training items sharing no key with it. */
function foldSplit(f, pool = items) {
  const valSet = pool.filter((it) => foldOf(it.primary) === f);
  const valKeys = new Set();
  for (const it of valSet) for (const k of it.keys) valKeys.add(k);
  const trainSet = pool.filter((it) => foldOf(it.primary) !== f && it.keys.every((k) => !valKeys.has(k) && (k.startsWith("pl:") || foldOf(k) !== f)));
  return { trainSet, valSet };
}

for (let f = 0; f < FOLDS; f++) {
  const { trainSet, valSet } = foldSplit(f);
  const m = train(trainSet, 1000 + f);
  for (const it of valSet) it.oofModel = modelLogit(it, m.w, m.bias);
  console.error(`fold ${f}: train ${trainSet.length} (${trainSet.filter((it) => it.y).length} injections), validate ${valSet.length} (${valSet.filter((it) => it.y).length} injections)`);
}

// ---- combiner: logistic regression on (rule logit, out-of-fold model logit, kind) ------------
function fitCombiner(set) {
  let rs = 1, ms = 1;
  const b = { output: 0, description: 0, prompt: 0 };
  const lr = 0.05;
  for (let it = 0; it < 3000; it++) {
    let gr = 0, gm = 0;
    const gb = { output: 0, description: 0, prompt: 0 };
    for (const x of set) {
      const z = rs * x.ruleLogit + ms * x.oofModel + b[x.kind];
      const g = (1 / (1 + Math.exp(-z)) - x.y) * (x.y ? 1 : BENIGN_WEIGHT);
      gr += g * x.ruleLogit;
      gm += g * x.oofModel;
      gb[x.kind] += g;
    }
    rs -= (lr * gr) / set.length;
    ms -= (lr * gm) / set.length;
    for (const k of KINDS) b[k] -= (lr * 3 * gb[k]) / set.length;
  }
  return { ruleScale: round(rs), modelScale: round(ms), bias: { output: round(b.output), description: round(b.description), prompt: round(b.prompt) } };
}
const round = (x) => Math.round(x * 10000) / 10000;
// The combiner is calibrated on the real dev data only: the synthetic corpus teaches the model what
// ordinary data looks like, but its template-made texts would skew the calibration.
const combiner = fitCombiner(dev);
const score = (it, modelKey) => {
  const z = combiner.ruleScale * it.ruleLogit + combiner.modelScale * it[modelKey] + combiner.bias[it.kind];
  return 1 / (1 + Math.exp(-z));
};

// Nested check of the combiner itself: fit it on three folds, apply to the fourth.
for (let f = 0; f < FOLDS; f++) {
  const c = fitCombiner(foldSplit(f, dev).trainSet);
  for (const it of items.filter((x) => foldOf(x.primary) === f)) it.oofScore = 1 / (1 + Math.exp(-(c.ruleScale * it.ruleLogit + c.modelScale * it.oofModel + c.bias[it.kind])));
}

const metrics = (set, pred) => classificationMetrics(set, (it) => it.y === 1, pred);
const pct = (x) => (100 * x).toFixed(1).padStart(5) + "%";
function report(title, pred) {
  console.log(`\n${title}`);
  console.log("kind         n     P      R      FPR    F1");
  for (const kind of [...KINDS, "all"]) {
    const set = kind === "all" ? dev : dev.filter((it) => it.kind === kind);
    const m = metrics(set, pred);
    console.log(`${kind.padEnd(11)} ${String(m.n).padStart(5)} ${pct(m.precision)} ${pct(m.recall)} ${pct(m.fpr)} ${pct(m.f1)}`);
  }
  if (syn.length) {
    const m = metrics(syn, pred);
    console.log(`synthetic benign ${String(m.n).padStart(5)}  FPR ${pct(m.fpr)}`);
  }
}
const TH = { low: 0.3, default: 0.5, high: 0.8 };
console.log(`combiner (fitted on out-of-fold logits): ${JSON.stringify(combiner)}`);
// The run-time decision (detect-injection.ts): an output verdict resting on the model alone must clear a higher bar.
const decide = (it, s, th) => s >= verdictBar(it.kind, it, th);
report("HELD-OUT (grouped 4-fold CV, combiner also cross-fitted), threshold default=0.5", (it) => decide(it, it.oofScore, TH.default));
report("HELD-OUT, threshold low=0.3", (it) => decide(it, it.oofScore, TH.low));
report("HELD-OUT, threshold high=0.8", (it) => decide(it, it.oofScore, TH.high));
report("HELD-OUT, model only (logit > 0)", (it) => it.oofModel > 0);
report("rules only (ruleLogit >= 2.5; rules were hand-written, so this is NOT a held-out figure)", (it) => it.ruleLogit >= 2.5);

// The target is stated as recall at FPR <= 1%: the lowest threshold whose held-out FPR on
// the dev benign items of a kind is <= 1%, and the recall there. The threshold is picked on these
// same scores, so this is optimistic by one fitted parameter; the run-time default is fixed (0.5).
console.log("\nHELD-OUT operating point: recall at held-out FPR <= 1% (threshold picked on these scores; outputs keep the model-only bar)");
for (const kind of KINDS) {
  const set = dev.filter((it) => it.kind === kind);
  const cands = [...new Set(set.map((it) => it.oofScore))].sort((a, b) => a - b);
  let best;
  for (const t of cands) {
    const m = metrics(set, (it) => decide(it, it.oofScore, t));
    if (m.fpr <= 0.01) {
      best = { t, m };
      break;
    }
  }
  if (best) console.log(`${kind.padEnd(11)} threshold ${best.t.toFixed(3)}  recall ${pct(best.m.recall)}  FPR ${pct(best.m.fpr)}`);
}

console.log("\nHELD-OUT by tag at default threshold (recall for injection tags, FPR for benign tags)");
const byTag = new Map();
for (const it of items) {
  const k = `${it.kind}/${it.y ? "inj" : "ben"}/${it.tag}`;
  if (!byTag.has(k)) byTag.set(k, []);
  byTag.get(k).push(it);
}
for (const [k, set] of [...byTag].sort()) {
  const hit = set.filter((it) => decide(it, it.oofScore, TH.default)).length;
  console.log(`  ${k.padEnd(70)} ${String(hit).padStart(4)}/${String(set.length).padEnd(4)} ${pct(hit / set.length)}`);
}

if (args.dump && args["cv-only"]) writeFileSync(args.dump, items.map((it) => JSON.stringify({ id: it.id, kind: it.kind, y: it.y, tag: it.tag, rule: it.ruleLogit, rules: it.rules, issued: it.issued, model: round(it.oofModel), score: round(it.oofScore), text: it.text })).join("\n") + "\n");
if (args["cv-only"]) process.exit(0);

// ---- final model on all dev data ------------------------------------------------------------
const final = train(items, 42);
for (const it of items) it.finalModel = modelLogit(it, final.w, final.bias);
for (const [name, th] of Object.entries(TH)) report(`FULL DEV (in-sample: final model trained on all dev data), threshold ${name}`, (it) => decide(it, score(it, "finalModel"), th));

if (!args["no-write"]) {
  let max = 0;
  for (const v of final.w) max = Math.max(max, Math.abs(v));
  const scale = max / 127 || 1;
  const q = new Int8Array(final.w.length);
  for (let i = 0; i < q.length; i++) q[i] = Math.max(-127, Math.min(127, Math.round(final.w[i] / scale)));
  const b64 = Buffer.from(q.buffer).toString("base64");
  const out = `// Generated by scripts/train-injection-model.mjs from the dev split of ../shared/data. Do not edit.
// ${items.length} items, ${EPOCHS} epochs, 2^${BITS} hashed features, int8-quantised.
import type { Combiner } from "./detect-injection.js";
import type { EncodedModel } from "./hashed-ngram-model.js";

export const COMBINER: Combiner = ${JSON.stringify(combiner)};

export const MODEL_DATA: EncodedModel = { version: 1, bits: ${BITS}, window: ${WINDOW}, stride: ${STRIDE}, bias: ${round(final.bias)}, scale: ${scale}, weights: "${b64}" };
`;
  writeFileSync(join(root, "src", "layers", "injection", "model-weights.ts"), out);
  console.error(`wrote model-weights.ts (${(out.length / 1024).toFixed(0)} KB)`);
}

if (args.dump) writeFileSync(args.dump, items.map((it) => JSON.stringify({ id: it.id, kind: it.kind, y: it.y, tag: it.tag, rule: it.ruleLogit, rules: it.rules, issued: it.issued, model: round(it.oofModel), score: round(it.oofScore), text: it.text })).join("\n") + "\n");
