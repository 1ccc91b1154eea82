import { describe, expect, it } from "vitest";
import { hashCaller } from "../../src/audit/payload-hash.js";
import { summariseResult } from "../../src/audit/result-summary.js";
import { auditArguments } from "../../src/audit/sensitivity.js";

const args = { path: "/srv/docs/MARKER-abc.md", api_key: "sk-live-123", count: 3, deep: { note: "MARKER-abc in text", ok: true } };
const text = (v: unknown) => JSON.stringify(v);

describe("auditArguments by sensitivity", () => {
  it("public: logged, secret-named keys masked", () => {
    const out = auditArguments(args, { sensitivity: "public", secretKeys: ["api_key"] }) as typeof args;
    expect(out.path).toBe(args.path);
    expect(out.api_key).toBe("[REDACTED]");
  });

  it("internal: strings pass through the secret redactor", () => {
    const out = auditArguments(args, { sensitivity: "internal", secretKeys: ["api_key"], redactString: (s) => s.replace(/MARKER-\w+/g, "[SECRET]") });
    expect(text(out)).not.toContain("MARKER");
    expect(text(out)).toContain("/srv/docs/[SECRET].md");
  });

  it("confidential: structure kept, values fingerprinted (keyed), secrets not even fingerprinted", () => {
    const a = auditArguments(args, { sensitivity: "confidential", secretKeys: ["api_key"], hashKey: "k1".repeat(16) }) as Record<string, unknown>;
    const b = auditArguments(args, { sensitivity: "confidential", secretKeys: ["api_key"], hashKey: "k2".repeat(16) }) as Record<string, unknown>;
    expect(Object.keys(a)).toEqual(Object.keys(args));
    expect(a.path).toMatch(/^#[0-9a-f]{16}$/);
    expect(a.path).not.toBe(b.path); // keyed
    expect(a.api_key).toBe("[REDACTED]");
    expect((a.deep as Record<string, unknown>).ok).toBe(true);
    expect(text(a)).not.toContain("MARKER");
  });

  it("restricted and ZDR: size only, fingerprint only when keyed", () => {
    expect(auditArguments(args, { sensitivity: "restricted" })).toEqual({ omitted: "restricted", bytes: Buffer.byteLength(text(args)) });
    const z = auditArguments(args, { sensitivity: "public", zdr: true, hashKey: "k".repeat(32) });
    expect(z).toMatchObject({ omitted: "zdr", hash: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(text(z)).not.toContain("MARKER");
  });

  it("absent arguments stay absent", () => {
    expect(auditArguments(undefined, { sensitivity: "public" })).toBeUndefined();
  });
});

describe("summariseResult", () => {
  const result = { content: [{ type: "text", text: "MARKER-abc" }, { type: "text", text: "x" }, { type: "image", data: "AA==" }], isError: false, structuredContent: { a: 1 } };

  it("summarises a tool result without its content", () => {
    const s = summariseResult(result, 321);
    expect(s).toEqual({ type: "tool_result", bytes: 321, items: 3, content: { text: 2, image: 1 }, structured: true });
    expect(text(s)).not.toContain("MARKER");
  });

  it("stores the body only when configured, at the tool's sensitivity, never in ZDR", () => {
    expect(summariseResult(result, 1, { store: "full", sensitivity: "public" }).body).toBeDefined();
    expect(text(summariseResult(result, 1, { store: "full", sensitivity: "confidential" }))).not.toContain("MARKER");
    expect(summariseResult(result, 1, { store: "full", zdr: true }).body).toBeUndefined();
  });

  it("summarises other values", () => {
    expect(summariseResult([1, 2], 5)).toEqual({ type: "array", bytes: 5, items: 2 });
    expect(summariseResult("x", 3)).toEqual({ type: "string", bytes: 3 });
  });
});

describe("hashCaller", () => {
  it("is stable, short and keyed when a key is given", () => {
    expect(hashCaller("alice")).toMatch(/^[0-9a-f]{16}$/);
    expect(hashCaller("alice")).toBe(hashCaller("alice"));
    expect(hashCaller("alice", "k".repeat(32))).not.toBe(hashCaller("alice"));
  });
});
