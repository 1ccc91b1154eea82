import { describe, expect, it } from "vitest";
import { gcraStep } from "../../src/store/gcra.js";
import { MemoryState, MemoryStore } from "../../src/store/memory-store.js";
import type { RateLimitResult, RateLimitRule } from "../../src/store/rate-limit-rule.js";
import { storeContract } from "./store-contract.js";

// Two handles on one MemoryState stand for two gateways sharing a backend.
const shared = new MemoryState();
storeContract("MemoryStore", async () => new MemoryStore(shared), async () => new MemoryStore(shared));

describe("MemoryStore.hitSync", () => {
  // The map/forEach/Math.min version hitSync replaced, over its own bucket map: the reference.
  function referenceHit(tats: Map<string, number>, rules: readonly RateLimitRule[], now: number): RateLimitResult {
    const steps = rules.map((r) => gcraStep(r, tats.get(r.key), now));
    let denied: number | undefined;
    steps.forEach((s, i) => {
      if (!s.allowed && (denied === undefined || s.retryAfterMs > steps[denied]!.retryAfterMs)) denied = i;
    });
    if (denied !== undefined) return { allowed: false, remaining: 0, retryAfterMs: steps[denied]!.retryAfterMs, deniedRule: denied };
    rules.forEach((r, i) => tats.set(r.key, steps[i]!.newTat));
    return { allowed: true, remaining: Math.min(...steps.map((s) => s.remaining)), retryAfterMs: 0 };
  }

  it("decides, counts and reports exactly as the reference over random rule sets and clocks", () => {
    let seed = 11;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >>> 16) % n;
    let now = 1_000_000;
    const state = new MemoryState();
    const store = new MemoryStore(state, () => now);
    const tats = new Map<string, number>();
    const outcomes = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      now += rnd(3) === 0 ? rnd(3000) : 0;
      // One to four rules over six keys; the same key may appear twice in one call.
      const rules: RateLimitRule[] = Array.from({ length: 1 + rnd(4) }, () => ({ key: `k${rnd(6)}`, limit: 1 + rnd(8), windowMs: [1000, 3000, 60_000][rnd(3)]! }));
      const got = store.hitSync(rules);
      const want = referenceHit(tats, rules, now);
      expect(got).toEqual(want);
      outcomes.add(`${rules.length}:${got.allowed}:${got.deniedRule ?? "-"}`);
    }
    // Every rule count was both allowed and denied, and every position named as the denying rule.
    for (let n = 1; n <= 4; n++) {
      expect(outcomes.has(`${n}:true:-`)).toBe(true);
      for (let d = 0; d < n; d++) expect(outcomes.has(`${n}:false:${d}`), `${n} rules, rule ${d} denies`).toBe(true);
    }
    expect(new Map(state.tats)).toEqual(tats);
  });

  it("on equal waits the first full rule is named", () => {
    const store = new MemoryStore(new MemoryState(), () => 5000);
    const a = { key: "a", limit: 1, windowMs: 1000 };
    const b = { key: "b", limit: 1, windowMs: 1000 };
    expect(store.hitSync([a, b]).allowed).toBe(true);
    expect(store.hitSync([a, b])).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1000, deniedRule: 0 });
    expect(store.hitSync([b, a])).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1000, deniedRule: 0 });
  });
});
