import { describe, expect, it, vi } from "vitest";
import type { ServerPolicy } from "../../../src/config/server-policy.js";
import type { LayerContext } from "../../../src/pipeline/layer.js";
import { SessionState } from "../../../src/pipeline/session-state.js";

// The detector is replaced by a table so the combination rule can be tested on scores the real model
// produces only for particular texts: a benign part that scores higher than an injected one.
vi.mock("../../../src/layers/injection/detect-injection.js", async (real) => ({
  ...(await real<Record<string, unknown>>()),
  detectInjection: (text: string, o: { threshold?: unknown }) =>
    text === "benign but high"
      ? { verdict: "benign", score: 0.7, threshold: o.threshold, reasons: [{ rule: "model", start: 0, end: 15 }], signals: [] }
      : text === "injected"
        ? { verdict: "injection", score: 0.55, threshold: o.threshold, reasons: [{ rule: "override-ignore", start: 0, end: 8 }], signals: [] }
        : { verdict: "benign", score: 0.01, threshold: o.threshold, reasons: [], signals: [] },
}));
const { createInjectionLayer } = await import("../../../src/layers/injection/injection-layer.js");

const ctx = (): LayerContext => ({
  server: { name: "mail", injection: { action: "block", threshold: "default", scan: ["tool_results"] } } as unknown as ServerPolicy,
  session: new SessionState("s_parts"),
});
const call = { jsonrpc: "2.0" as const, id: 1, method: "tools/call", params: { name: "read_inbox", arguments: {} } };
const reply = (...texts: string[]) => ({ jsonrpc: "2.0" as const, id: 1, result: { content: texts.map((text) => ({ type: "text", text })) } });

describe("injection layer: several parts", () => {
  it("a benign part scoring higher does not mask an injected part", () => {
    const d = createInjectionLayer().onResponse!(reply("benign but high", "injected"), call, ctx()) as { kind: string; details?: Record<string, unknown> };
    expect(d.kind).toBe("deny");
    expect(d.details).toMatchObject({ score: 0.55, rules: ["override-ignore"] });
  });

  it("benign parts alone are allowed, whatever their scores", () => {
    expect(createInjectionLayer().onResponse!(reply("benign but high", "plain"), call, ctx())).toEqual({ kind: "allow" });
  });
});
