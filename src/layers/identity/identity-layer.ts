import { ALLOW, modify } from "../../pipeline/decision.js";
import type { Layer } from "../../pipeline/layer.js";
import { filterToolList, toolNameOf } from "../../protocol/tool-list.js";
import { decideServerScope, decideToolScope } from "./decide-scope.js";

/**
 * API-key scopes. When the transport authenticated the session (`session.principal`), refuses
 * requests to a server the key has no scope for, refuses `tools/call` for tools its scopes do not
 * grant, and hides those tools from `tools/list`. Without a principal (stdio) it allows everything:
 * scopes are about keys. It inspects every request method ("*"), so add it only where the transport
 * authenticates (the HTTP gateway); over stdio it would cost a pass for nothing.
 */
export function createScopeLayer(): Layer {
  return {
    name: "identity",
    requestMethods: ["*"],
    responseMethods: ["tools/list"],
    onRequest(req, ctx) {
      const principal = ctx.session.principal;
      if (!principal) return ALLOW;
      if (req.method !== "tools/call") return decideServerScope(principal, req.method, ctx.server);
      const name = toolNameOf(req.params);
      if (name === undefined) return ALLOW; // tool-policy rejects it
      return decideToolScope(principal, name, ctx.session.tools.get(name)?.definition, ctx.server);
    },
    onResponse(res, _req, ctx) {
      const principal = ctx.session.principal;
      if (!principal) return ALLOW;
      const out = filterToolList(res, (t) => decideToolScope(principal, t.name as string, t, ctx.server).kind === "allow");
      if (!out) return ALLOW;
      return modify(out.message, "scope-filter", `hid ${out.removed.length} tool(s) the caller's scopes do not grant`, "tools_filtered", { details: { hidden: out.removed, principal: principal.id } });
    },
  };
}
