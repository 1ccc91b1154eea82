import { describe, expect, it } from "vitest";
import { collectTexts, type TextPart } from "../../../src/layers/injection/collect-texts.js";

// The forEach / Object.entries walk collectTexts replaced: the reference for order, paths and bounds.
function reference(value: unknown, path = "", out: TextPart[] = [], depth = 0): TextPart[] {
  if (out.length >= 256 || depth > 8) return out;
  if (typeof value === "string") {
    if (value.length > 0) out.push({ path, text: value });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => reference(v, `${path}[${i}]`, out, depth + 1));
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === "blob" || k === "data" || k === "uri" || k === "mimeType" || k === "type" || k === "_meta") continue;
      reference(v, path ? `${path}.${k}` : k, out, depth + 1);
    }
  }
  return out;
}

describe("collectTexts", () => {
  it("collects the same parts, in the same order, with the same paths as the reference", () => {
    const deep = (n: number): unknown => (n === 0 ? "bottom" : { down: deep(n - 1), [`s${n}`]: `level ${n}` });
    const sparse: unknown[] = ["a"];
    sparse[3] = "d";
    const values: unknown[] = [
      { content: [{ type: "text", text: "Echo: hello" }, { type: "image", data: "AAAA", mimeType: "image/png" }, { type: "resource", resource: { uri: "file:///x", text: "inside", blob: "QkxPQg==" } }], _meta: { note: "skip" } },
      { structuredContent: { rows: [{ id: 1, name: "n", tags: ["x", "", "y"], nested: { "2": "numeric key", b: "b", a: "a" } }], total: 3, ok: true, none: null } },
      { messages: [{ role: "user", content: { type: "text", text: "hi" } }], systemPrompt: "be nice" },
      deep(12),
      Array.from({ length: 300 }, (_, i) => `item ${i}`),
      sparse,
      ["", [[["deep array"]]], { "": "empty key" }],
      "just a string",
      42,
      undefined,
    ];
    for (const v of values) expect(collectTexts(v), JSON.stringify(v)?.slice(0, 80)).toEqual(reference(v));
    expect(collectTexts(values[4]).length).toBe(256);
    expect(collectTexts({ a: "x" }, "root")).toEqual([{ path: "root.a", text: "x" }]);
  });
});
