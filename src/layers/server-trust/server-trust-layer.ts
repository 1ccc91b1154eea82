import { ALLOW, modify } from "../../pipeline/decision.js";
import type { Layer } from "../../pipeline/layer.js";
import { filterToolList, toolNameOf } from "../../protocol/tool-list.js";
import { decideTrust } from "./decide-trust.js";

/**
 * Server trust: what a server's trust level lets its tools do. Hides tools the level refuses from
 * `tools/list`; on `tools/call`, allows, refuses, or holds for approval.
 */
export function createServerTrustLayer(): Layer {
  return {
    name: "server-trust",
    requestMethods: ["tools/call"],
    responseMethods: ["tools/list"],
    onRequest(req, ctx) {
      const name = toolNameOf(req.params);
      if (name === undefined) return ALLOW; // tool-policy rejects it
      return decideTrust(name, ctx.session.tools.get(name)?.definition, ctx.server, { injectionSeen: ctx.session.flags.has("injection_seen") });
    },
    onResponse(res, _req, ctx) {
      const out = filterToolList(res, (t) => decideTrust(t.name as string, t, ctx.server).kind !== "deny");
      if (!out) return ALLOW;
      return modify(out.message, "trust-filter", `hid ${out.removed.length} tool(s) trust "${ctx.server.trust}" does not allow`, "tools_filtered", { details: { hidden: out.removed } });
    },
  };
}
