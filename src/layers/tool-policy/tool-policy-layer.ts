import { ALLOW, modify } from "../../pipeline/decision.js";
import type { Layer } from "../../pipeline/layer.js";
import { filterToolList, toolNameOf } from "../../protocol/tool-list.js";
import { deny } from "../../pipeline/decision.js";
import { decideToolAccess } from "./decide-tool-access.js";

/**
 * Tool allow/deny policy. Filters `tools/list` and refuses `tools/call` with the same decision
 * function, so a tool the caller cannot call is never listed and vice versa.
 *
 * @example createToolPolicyLayer()  // policy comes from each server's `tools:` section
 */
export function createToolPolicyLayer(): Layer {
  return {
    name: "tool-policy",
    requestMethods: ["tools/call"],
    responseMethods: ["tools/list"],
    onRequest(req, ctx) {
      const name = toolNameOf(req.params);
      if (name === undefined) return deny("INVALID_REQUEST", "missing-tool-name", "tools/call needs a string `params.name`.");
      return decideToolAccess(name, ctx.server, ctx.session.tools);
    },
    onResponse(res, _req, ctx) {
      const out = filterToolList(res, (t) => decideToolAccess(t.name as string, ctx.server, ctx.session.tools).kind === "allow");
      if (!out) return ALLOW;
      return modify(out.message, "tool-filter", `hid ${out.removed.length} tool(s) the policy does not allow`, "tools_filtered", { details: { hidden: out.removed } });
    },
  };
}
