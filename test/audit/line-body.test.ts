import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AuditEntry } from "../../src/audit/audit-record.js";
import { JsonlAuditLog } from "../../src/audit/jsonl-audit-log.js";
import { IsoClock, lineBody } from "../../src/audit/line-body.js";
import { verifyChain } from "../../src/audit/verify-chain.js";
import { readLines, tmpDir } from "./audit-test-helpers.js";

/** What the writer used to build, and must still build byte for byte. */
const spread = (seq: number, ts: string, entry: AuditEntry, prev: string) => JSON.stringify({ seq, ts, ...entry, prev });
const TS = "2026-11-23T07:53:12.045Z";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("lineBody: the line text without building a spread copy", () => {
  it("equals JSON.stringify({ seq, ts, ...entry, prev }) for odd entries too", () => {
    const odd: unknown[] = [
      {},
      { event: "x", severity: "info", tool: undefined, details: undefined },
      { seq: 5, event: "x" },
      { seq: undefined, event: "x" },
      { ts: "t" },
      { prev: "p" },
      { hash: "h", event: "x" },
      { 0: "a", event: "b" },
      { "01": 1 },
      { event: "\"quoted\" \u2028 \ud800" },
      { toJSON: () => ({ q: 1 }) },
      Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
      Object.assign(Object.create({ toJSON: () => "proto" }), { own: 2 }),
    ];
    for (const e of odd) {
      for (const prev of ["0".repeat(64), "we\"ird\\prev"]) {
        expect(lineBody(7, TS, e as AuditEntry, prev, JSON.stringify(prev))).toBe(spread(7, TS, e as AuditEntry, prev));
      }
    }
  });

  it("equals it for arbitrary entries", () => {
    const key = fc.oneof(fc.constantFrom("seq", "ts", "prev", "hash", "event", "0", "7", "__proto__", "toJSON"), fc.string());
    fc.assert(fc.property(fc.dictionary(key, fc.jsonValue()), fc.nat(), (raw, seq) => {
      const e = JSON.parse(JSON.stringify(raw)) as AuditEntry; // own "__proto__" keys, as JSON.parse makes them
      expect(lineBody(seq, TS, e, "abc", '"abc"')).toBe(spread(seq, TS, e, "abc"));
    }), { numRuns: 500 });
  });
});

describe("IsoClock", () => {
  it("gives new Date().toISOString() at every millisecond, across seconds and years", () => {
    vi.useFakeTimers();
    const clock = new IsoClock();
    const starts = [Date.UTC(2026, 10, 23, 7, 53, 12, 0), Date.UTC(1999, 11, 31, 23, 59, 59, 990), Date.UTC(1960, 0, 1), Date.UTC(10000, 0, 1) - 5];
    for (const t0 of starts) {
      for (let t = t0; t < t0 + 1200; t += 7) {
        vi.setSystemTime(t);
        expect(clock.now()).toBe(new Date().toISOString());
      }
    }
  });
});

describe("JsonlAuditLog writes", () => {
  it("completes a short write of the text from its bytes, and the chain verifies", async () => {
    const file = path.join(tmpDir(), "audit.jsonl");
    const log = new JsonlAuditLog(file);
    const fd = (log as unknown as { fd: number }).fd;
    const real = fs.writeSync.bind(fs) as (...a: unknown[]) => number;
    let shortened = 0;
    vi.spyOn(fs, "writeSync").mockImplementation(((...args: unknown[]) => {
      // The first write of text writes only 10 bytes, as a write(2) may.
      if (args[0] === fd && typeof args[1] === "string" && shortened++ === 0) return real(fd, Buffer.from(args[1]).subarray(0, 10));
      return real(...args);
    }) as typeof fs.writeSync);
    log.record({ event: "tool_call", severity: "info", tool: "é-ünïcode", args: { message: "héllo" } });
    log.record({ event: "tool_call", severity: "info", tool: "second" });
    log.flush();
    await log.close();
    expect(shortened).toBe(1);
    expect(readLines(file).map((l) => (JSON.parse(l) as { tool: string }).tool)).toEqual(["é-ünïcode", "second"]);
    expect(verifyChain([file])).toMatchObject({ ok: true, lines: 2 });
  });
});
