import { describe, expect, it } from "vitest";
import { ALLOW, deny, hold, modify } from "../../src/pipeline/decision.js";
import type { Layer } from "../../src/pipeline/layer.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { runChain } from "../../src/pipeline/run-chain.js";

const layer = (name: string, fn: NonNullable<Layer["onRequest"]>): Layer => ({ name, onRequest: fn });
const run = (layers: Layer[], timeout = 100) =>
  runChain(layers, { jsonrpc: "2.0", id: 1, method: "m" }, (l, m) => l.onRequest!(m as never, {} as never), timeout);

describe("runChain", () => {
  it("stays synchronous when every layer is", () => {
    const out = run([layer("a", () => ALLOW), layer("b", () => ALLOW)]);
    expect(out).not.toBeInstanceOf(Promise);
    expect(out).toMatchObject({ kind: "allow", message: undefined });
  });

  it("the first deny stops the chain and beats earlier holds", async () => {
    let ran = false;
    const out = run([layer("h", () => hold("r", "why")), layer("d", () => deny("TOOL_DENIED", "r", "no")), layer("x", () => ((ran = true), ALLOW))]);
    expect(out).toMatchObject({ kind: "deny", layer: "d" });
    expect(ran).toBe(false);
  });

  it("feeds modifications to the next layer", () => {
    const out = run([
      layer("m", (req) => modify({ ...req, params: { x: 1 } }, "r", "why", "ev")),
      layer("check", (req) => ((req.params as { x?: number })?.x === 1 ? ALLOW : deny("TOOL_DENIED", "r", "unmodified"))),
    ]);
    expect(out).toMatchObject({ kind: "allow", message: { params: { x: 1 } } });
  });

  it("fails closed when a layer throws", () => {
    const out = run([layer("boom", () => { throw new Error("bug"); })]);
    expect(out).toMatchObject({ kind: "deny", layer: "boom", decision: { code: "LAYER_FAILED" } });
  });

  it("fails closed when a layer returns garbage", () => {
    expect(run([layer("junk", () => ({ kind: "maybe" }) as never)])).toMatchObject({ kind: "deny", decision: { code: "LAYER_FAILED" } });
  });

  it("fails closed when an async layer rejects or times out", async () => {
    await expect(run([layer("rej", () => Promise.reject(new Error("down")))])).resolves.toMatchObject({ kind: "deny", decision: { code: "LAYER_FAILED" } });
    await expect(run([layer("slow", () => new Promise(() => {}))], 20)).resolves.toMatchObject({ kind: "deny", decision: { code: "LAYER_FAILED", reason: expect.stringContaining("timed out") } });
  });

  it("continues asynchronously after an async layer", async () => {
    const out = await run([layer("a", async () => ALLOW), layer("b", () => hold("r", "h"))]);
    expect(out).toMatchObject({ kind: "hold" });
  });
});

describe("Pipeline", () => {
  it("orders layers by the written-down order, not registration", () => {
    const names = (p: Pipeline) => p.requestLayers("tools/call").map((l) => l.name);
    const mk = (name: string): Layer => ({ name, requestMethods: ["tools/call"], onRequest: () => ALLOW });
    expect(names(new Pipeline([mk("custom"), mk("call-caps"), mk("tool-policy")]))).toEqual(["tool-policy", "call-caps", "custom"]);
  });

  it("skips layers for methods they do not inspect", () => {
    const p = new Pipeline([{ name: "x", requestMethods: ["tools/call"], onRequest: () => ALLOW }]);
    expect(p.inspectsRequest("resources/read")).toBe(false);
    expect(p.inspectsRequest("tools/call")).toBe(true);
  });

  it("refuses two layers with the same name", () => {
    expect(() => new Pipeline([{ name: "a" }, { name: "a" }])).toThrow(/unique/);
  });
});
