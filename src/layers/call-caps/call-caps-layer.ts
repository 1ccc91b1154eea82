import { ALLOW, modify } from "../../pipeline/decision.js";
import type { Layer } from "../../pipeline/layer.js";
import { filterToolList, toolNameOf } from "../../protocol/tool-list.js";
import { callCounterKey, decideCallCap } from "./decide-call-cap.js";

/** Per-session call caps. The count grows only when a call actually went upstream. */
export function createCallCapsLayer(): Layer {
  return {
    name: "call-caps",
    requestMethods: ["tools/call"],
    responseMethods: ["tools/list"],
    onRequest(req, ctx) {
      const name = toolNameOf(req.params);
      if (name === undefined) return ALLOW;
      return decideCallCap(name, ctx.server, ctx.session.count(callCounterKey(name)));
    },
    onResponse(res, _req, ctx) {
      const out = filterToolList(res, (t) => decideCallCap(t.name as string, ctx.server, ctx.session.count(callCounterKey(t.name as string))).kind === "allow");
      if (!out) return ALLOW;
      return modify(out.message, "cap-filter", `hid ${out.removed.length} tool(s) whose call cap is used up`, "tools_filtered", { details: { hidden: out.removed } });
    },
    onForwarded(req, ctx) {
      const name = toolNameOf(req.params);
      if (name !== undefined && ctx.server.tools.policies[name]?.max_calls_per_session !== undefined) ctx.session.increment(callCounterKey(name));
    },
  };
}
