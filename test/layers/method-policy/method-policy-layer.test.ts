import { describe, expect, it } from "vitest";
import { createMethodPolicyLayer } from "../../../src/layers/method-policy/method-policy-layer.js";
import { SessionState } from "../../../src/pipeline/session-state.js";
import { policyOf } from "../../helpers/policy.js";

describe("method policy", () => {
  it("refuses methods matching methods.deny and passes the rest", () => {
    const layer = createMethodPolicyLayer();
    const ctx = { server: policyOf({ methods: { deny: ["resources/*"] } }), session: new SessionState() };
    expect(layer.onRequest!({ jsonrpc: "2.0", id: 1, method: "resources/read" }, ctx)).toMatchObject({ kind: "deny", code: "METHOD_DENIED" });
    expect(layer.onRequest!({ jsonrpc: "2.0", id: 1, method: "prompts/get" }, ctx)).toMatchObject({ kind: "allow" });
  });
});
