import { describe, expect, it } from "vitest";
import { BackoffPolicy, DEFAULT_BACKOFF } from "../../src/transport/backoff-policy.js";

describe("BackoffPolicy", () => {
  const mid = () => 0.5; // no jitter: 2 * 0.5 - 1 = 0

  it("doubles from 0.5 s up to the 30 s cap", () => {
    const p = new BackoffPolicy({ random: mid });
    const delays = Array.from({ length: 9 }, () => p.crashed(10));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(p.consecutiveFailures).toBe(9);
  });

  it("keeps jitter within ±20 % and under the cap", () => {
    const lo = new BackoffPolicy({ random: () => 0 });
    const hi = new BackoffPolicy({ random: () => 0.999999 });
    expect(lo.crashed(0)).toBe(400);
    expect(hi.crashed(0)).toBe(600);
    for (let i = 0; i < 10; i++) hi.crashed(0);
    expect(hi.crashed(0)).toBe(DEFAULT_BACKOFF.maxMs);
    const rnd = new BackoffPolicy();
    for (let i = 1; i <= 6; i++) {
      const d = rnd.crashed(0);
      const base = rnd.baseDelay(i);
      expect(d).toBeGreaterThanOrEqual(base * 0.8);
      expect(d).toBeLessThanOrEqual(Math.min(30000, base * 1.2));
    }
  });

  it("starts over after an uptime of at least resetAfterMs, and on reset()", () => {
    const p = new BackoffPolicy({ random: mid });
    p.crashed(0);
    p.crashed(0);
    expect(p.crashed(59_999)).toBe(2000);
    expect(p.crashed(60_000)).toBe(500);
    p.crashed(0);
    p.reset();
    expect(p.consecutiveFailures).toBe(0);
    expect(p.crashed(0)).toBe(500);
  });

  it("takes its numbers from options", () => {
    const p = new BackoffPolicy({ initialMs: 100, maxMs: 250, multiplier: 3, jitter: 0, resetAfterMs: 5 });
    expect([p.crashed(0), p.crashed(0), p.crashed(0)]).toEqual([100, 250, 250]);
    expect(p.crashed(5)).toBe(100);
  });
});
