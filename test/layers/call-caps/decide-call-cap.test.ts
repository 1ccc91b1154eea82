import { describe, expect, it } from "vitest";
import { createCallCapsLayer } from "../../../src/layers/call-caps/call-caps-layer.js";
import { decideCallCap } from "../../../src/layers/call-caps/decide-call-cap.js";
import { SessionState } from "../../../src/pipeline/session-state.js";
import { policyOf } from "../../helpers/policy.js";

const p = policyOf({ tools: { policies: { get_user: { max_calls_per_session: 2 } } } });

describe("call caps", () => {
  it("allows until the cap, then denies", () => {
    expect(decideCallCap("get_user", p, 1).kind).toBe("allow");
    expect(decideCallCap("get_user", p, 2)).toMatchObject({ kind: "deny", code: "CALL_CAP_EXCEEDED" });
    expect(decideCallCap("other", p, 99).kind).toBe("allow");
  });

  it("counts only calls that were forwarded, and hides an exhausted tool from tools/list", () => {
    const layer = createCallCapsLayer();
    const ctx = { server: p, session: new SessionState() };
    const req = { jsonrpc: "2.0" as const, id: 1, method: "tools/call", params: { name: "get_user" } };
    expect(layer.onRequest!(req, ctx)).toMatchObject({ kind: "allow" });
    layer.onRequest!(req, ctx); // judged but never forwarded: must not count
    layer.onForwarded!(req, ctx);
    layer.onForwarded!(req, ctx);
    expect(layer.onRequest!(req, ctx)).toMatchObject({ kind: "deny" });
    const list = { jsonrpc: "2.0" as const, id: 2, result: { tools: [{ name: "get_user" }, { name: "other" }] } };
    const d = layer.onResponse!(list, { jsonrpc: "2.0", id: 2, method: "tools/list" }, ctx) as { kind: string; message: { result: { tools: { name: string }[] } } };
    expect(d.kind).toBe("modify");
    expect(d.message.result.tools.map((t) => t.name)).toEqual(["other"]);
  });
});
