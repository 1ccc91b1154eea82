import { describe, expect, it } from "vitest";
import type { Store } from "../../src/store/store.js";
import { StoreUnavailableError } from "../../src/store/store-error.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let n = 0;
/** A key no other test uses (the Redis suites share one server). */
const k = (s: string) => `t${process.pid}-${++n}-${s}`;

/**
 * The behaviour every Store must have. `open` returns a fresh store; `openAnother` a second,
 * independent handle on the SAME state (another gateway process).
 */
export function storeContract(name: string, open: () => Promise<Store>, openAnother: () => Promise<Store>): void {
  describe(`${name}: Store contract`, () => {
    it("get / set / delete", async () => {
      const s = await open();
      const key = k("a");
      expect(await s.get(key)).toBeUndefined();
      expect(await s.set(key, "1")).toBe(true);
      expect(await s.get(key)).toBe("1");
      expect(await s.set(key, "2")).toBe(true);
      expect(await s.get(key)).toBe("2");
      expect(await s.delete(key)).toBe(true);
      expect(await s.delete(key)).toBe(false);
      expect(await s.get(key)).toBeUndefined();
      await s.close();
    });

    it("ttl: an entry disappears after its time to live", async () => {
      const s = await open();
      const key = k("ttl");
      await s.set(key, "v", { ttlMs: 150 });
      expect(await s.get(key)).toBe("v");
      await sleep(250);
      expect(await s.get(key)).toBeUndefined();
      expect(await s.take(key)).toBeUndefined();
      expect(await s.list(key)).toEqual([]);
      await s.close();
    });

    it("ifAbsent writes only when no live entry exists", async () => {
      const s = await open();
      const key = k("nx");
      expect(await s.set(key, "first", { ifAbsent: true })).toBe(true);
      expect(await s.set(key, "second", { ifAbsent: true })).toBe(false);
      expect(await s.get(key)).toBe("first");
      const exp = k("nx-exp");
      await s.set(exp, "old", { ttlMs: 50 });
      await sleep(120);
      expect(await s.set(exp, "new", { ifAbsent: true, ttlMs: 10_000 })).toBe(true);
      expect(await s.get(exp)).toBe("new");
      await s.close();
    });

    it("take is single-use, even with concurrent takers on two handles", async () => {
      const a = await open();
      const b = await openAnother();
      const key = k("once");
      await a.set(key, "approval");
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).take(key)));
      expect(results.filter((r) => r === "approval")).toHaveLength(1);
      expect(await a.get(key)).toBeUndefined();
      await a.close();
      await b.close();
    });

    it("compareAndDelete removes only the expected value", async () => {
      const s = await open();
      const key = k("cad");
      await s.set(key, "x");
      expect(await s.compareAndDelete(key, "y")).toBe(false);
      expect(await s.get(key)).toBe("x");
      expect(await s.compareAndDelete(key, "x")).toBe(true);
      expect(await s.compareAndDelete(key, "x")).toBe(false);
      await s.close();
    });

    it("list returns live entries under a prefix, sorted, treating glob characters literally", async () => {
      const s = await open();
      const p = k("list*[?]:");
      await s.set(`${p}b`, "2");
      await s.set(`${p}a`, "1");
      await s.set(`${p}gone`, "x", { ttlMs: 50 });
      await s.set(`${p.slice(0, -1)}X`, "not under the prefix");
      await s.set(k("list-other"), "3");
      await sleep(120);
      expect(await s.list(p)).toEqual([{ key: `${p}a`, value: "1" }, { key: `${p}b`, value: "2" }]);
      await s.close();
    });

    it("hit allows `limit` events per window, then denies with a retry delay", async () => {
      const s = await open();
      const rule = { key: k("rl"), limit: 3, windowMs: 10_000 };
      expect(await s.hit([rule])).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
      expect((await s.hit([rule])).remaining).toBe(1);
      expect((await s.hit([rule])).remaining).toBe(0);
      const denied = await s.hit([rule]);
      expect(denied).toMatchObject({ allowed: false, remaining: 0, deniedRule: 0 });
      // A token bucket refills one call every window / limit (3.3 s here).
      expect(denied.retryAfterMs).toBeGreaterThan(3_000);
      expect(denied.retryAfterMs).toBeLessThanOrEqual(3_334);
      await s.close();
    });

    it("hit refills steadily: after a burst, one more call fits every window / limit", async () => {
      const s = await open();
      const rule = { key: k("refill"), limit: 2, windowMs: 400 };
      expect((await s.hit([rule])).allowed).toBe(true);
      expect((await s.hit([rule])).allowed).toBe(true); // the burst
      const d = await s.hit([rule]);
      expect(d.allowed).toBe(false);
      expect(d.retryAfterMs).toBeGreaterThan(150);
      expect(d.retryAfterMs).toBeLessThanOrEqual(200); // one token every 200 ms
      await sleep(d.retryAfterMs + 30);
      expect((await s.hit([rule])).allowed).toBe(true); // one token refilled...
      expect((await s.hit([rule])).allowed).toBe(false); // ...but only one
      await s.close();
    });

    it("hit costs the same whatever the limit (no per-call log)", async () => {
      const s = await open();
      const rule = { key: k("big"), limit: 1_000_000, windowMs: 60_000 };
      const t0 = performance.now();
      for (let i = 0; i < 2000; i++) await s.hit([rule]);
      const perCall = (performance.now() - t0) / 2000;
      const t1 = performance.now();
      for (let i = 0; i < 2000; i++) await s.hit([rule]);
      // The second thousand calls cost about what the first did: nothing accumulates per call.
      expect((performance.now() - t1) / 2000).toBeLessThan(perCall * 3 + 0.5);
      expect((await s.hit([rule])).remaining).toBeGreaterThan(990_000);
      await s.close();
    });

    it("hit is all or nothing across rules and reports the rule with the longest wait", async () => {
      const s = await open();
      const tight = { key: k("tight"), limit: 1, windowMs: 10_000 };
      const loose = { key: k("loose"), limit: 3, windowMs: 10_000 };
      expect(await s.hit([loose, tight])).toMatchObject({ allowed: true, remaining: 0 });
      expect(await s.hit([loose, tight])).toMatchObject({ allowed: false, deniedRule: 1 });
      expect(await s.hit([loose, tight])).toMatchObject({ allowed: false, deniedRule: 1 });
      // the denied attempts did not use up the loose rule: two of its three remain
      expect(await s.hit([loose])).toMatchObject({ allowed: true, remaining: 1 });
      await s.close();
    });

    it("hit is atomic under concurrency across two handles: exactly `limit` of many parallel events pass", async () => {
      const a = await open();
      const b = await openAnother();
      const rule = { key: k("race"), limit: 5, windowMs: 10_000 };
      const results = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).hit([rule])));
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
      await a.close();
      await b.close();
    });

    it("malformed rate-limit rules are programming errors (TypeError), not denials", async () => {
      const s = await open();
      await expect(s.hit([])).rejects.toThrow(TypeError);
      await expect(s.hit([{ key: "x", limit: 0, windowMs: 1000 }])).rejects.toThrow(TypeError);
      await expect(s.hit([{ key: "x", limit: 1.5, windowMs: 1000 }])).rejects.toThrow(TypeError);
      await s.close();
    });

    it("operations after close reject with StoreUnavailableError", async () => {
      const s = await open();
      await s.close();
      await expect(s.get("x")).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(s.hit([{ key: "x", limit: 1, windowMs: 1000 }])).rejects.toBeInstanceOf(StoreUnavailableError);
      await s.close(); // idempotent
    });
  });
}
