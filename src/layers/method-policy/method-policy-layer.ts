import { ALLOW, deny } from "../../pipeline/decision.js";
import type { Layer } from "../../pipeline/layer.js";
import { matchesAny } from "../../protocol/glob-set.js";

/**
 * Refuses request methods matching `methods.deny` (e.g. "sampling/*", "resources/subscribe").
 * Unknown methods otherwise pass: MCP grows, and the relay must not break new features by default.
 */
export function createMethodPolicyLayer(): Layer {
  return {
    name: "method-policy",
    requestMethods: ["*"],
    onRequest(req, ctx) {
      if (!matchesAny(ctx.server.methods.deny, req.method)) return ALLOW;
      return deny("METHOD_DENIED", "method-deny", `Portcullis refused \`${req.method}\`: server "${ctx.server.name}" denies this method (methods.deny).`);
    },
  };
}
