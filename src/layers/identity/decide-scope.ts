import { scopeAllows } from "../../auth/scopes.js";
import type { ServerPolicy } from "../../config/server-policy.js";
import { ALLOW, deny, type Decision } from "../../pipeline/decision.js";
import type { Principal } from "../../pipeline/session-state.js";
import { classifyTool } from "../server-trust/classify-tool.js";

/**
 * May `principal` call tool `name` on this server? The operation comes from the same classifier the
 * trust layer uses (config override, else read-only grant, else the name's verb).
 */
export function decideToolScope(principal: Principal, name: string, definition: Record<string, unknown> | undefined, server: ServerPolicy): Decision {
  const { operation } = classifyTool(name, definition, server);
  if (scopeAllows(principal.scopes, { server: server.name, tool: name, operation })) return ALLOW;
  return deny("TOOL_DENIED", "scope", `Portcullis blocked \`${name}\`: ${who(principal)} has no scope for ${operation} tools like this one on server \`${server.name}\`. Ask for ${principal.kind === "oauth" ? "a token" : "a key"} with a scope such as ${principal.kind === "oauth" ? "portcullis:" : ""}server:${server.name}/tool:${name}.`, {
    event: "scope_denied",
    severity: "medium",
    details: { principal: principal.id, operation },
  });
}

/** May `principal` use this server at all (any method other than tools/call)? */
export function decideServerScope(principal: Principal, method: string, server: ServerPolicy): Decision {
  if (scopeAllows(principal.scopes, { server: server.name })) return ALLOW;
  return deny("FORBIDDEN", "scope", `${capitalised(who(principal))} has no scope for server \`${server.name}\`, so \`${method}\` was refused.`, {
    event: "scope_denied",
    severity: "medium",
    details: { principal: principal.id },
  });
}

/** How refusals name the caller: API keys by id, OAuth callers by their hashed identity. */
function who(p: Principal): string {
  return p.kind === "oauth" ? `the token of caller \`${p.id}\`` : `the API key \`${p.id}\``;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
