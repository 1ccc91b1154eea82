import { describe, expect, it } from "vitest";
import { createTextRedactor } from "../../../src/layers/redaction/redact-text.js";
import { SECRET_DETECTORS } from "../../../src/layers/redaction/secret-detectors.js";
import type { SecretMatch } from "../../../src/layers/redaction/secret-match.js";
import { assignmentDetector } from "../../../src/layers/redaction/assignment-detector.js";
import { createKeyMatcher } from "../../../src/layers/redaction/key-matcher.js";
import { DEFAULT_REDACTION_KEYS } from "../../../src/layers/redaction/redaction-options.js";

// Reference: every detector on its own, in priority order, then the same overlap resolution.
function reference(text: string, pii: boolean): SecretMatch[] {
  const dets = [...SECRET_DETECTORS.filter((d) => pii || !d.pii), assignmentDetector(DEFAULT_REDACTION_KEYS, createKeyMatcher(DEFAULT_REDACTION_KEYS))!];
  if (text.length < 7) return [];
  const found: (SecretMatch & { rank: number })[] = [];
  dets.forEach((d, rank) => {
    const out: SecretMatch[] = [];
    d.find(text, out);
    for (const f of out) found.push({ ...f, rank });
  });
  found.sort((a, b) => a.start - b.start || b.end - a.end || a.rank - b.rank);
  const kept: SecretMatch[] = [];
  let lastEnd = -1;
  for (const f of found) {
    if (f.start < lastEnd || f.end <= f.start) continue;
    kept.push({ type: f.type, start: f.start, end: f.end });
    lastEnd = f.end;
  }
  return kept;
}

let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
const run = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
const AN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
// Token prefixes glued to each other and to bodies of random length, so matches overlap, nest and
// abut: where a merged scan could differ from separate scans if it were wrong.
const PIECES = [
  "AKIA", "ASIA", "A3T", "AIza", "ghp_", "gho_", "github_pat_", "glpat-", "gldt-", "GR1348941", "sk-ant-api03-", "sk-proj-", "sk-", "sk_live_", "rk_test_",
  "whsec_", "xoxb-", "xapp-1-", "npm_", "T3BlbkFJ", "-", "_", " ", "\n", "=", "1234", "password=", "://u:p@h", "eyJhbGciOiJIUzI1NiJ9.eyJ", ".",
];
const sample = () => {
  let s = "";
  const parts = 1 + Math.floor(rnd() * 12);
  for (let k = 0; k < parts; k++) s += rnd() < 0.5 ? pick(PIECES) : run(rnd() < 0.3 ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" : AN, Math.floor(rnd() * 70));
  return s;
};

describe("one scan for the prefix-token detectors", () => {
  it("finds exactly what the detectors find one by one", () => {
    for (const pii of [false, true]) {
      const r = createTextRedactor({ pii });
      for (let i = 0; i < 4000; i++) {
        const text = sample();
        expect(r.find(text), text).toEqual(reference(text, pii));
      }
    }
  });
});
