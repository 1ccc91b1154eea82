import type { ServerPolicy } from "../../config/server-policy.js";
import { matchesAny } from "../../protocol/glob-set.js";
import type { ToolCatalog } from "../../pipeline/tool-catalog.js";
import { ALLOW, deny, type AllowDecision, type DenyDecision } from "../../pipeline/decision.js";

/**
 * May this tool be listed and called at all? One pure rule set for `tools/list` and `tools/call`.
 * Order: deny globs (deny wins), required prefix, allow globs (a tool named under `policies` counts
 * as allowed), unknown to the upstream, then `max_tools` by first-seen position.
 */
export function decideToolAccess(name: string, policy: ServerPolicy, catalog: ToolCatalog): AllowDecision | DenyDecision {
  const permitted = staticRule(name, policy);
  if (permitted) return permitted;
  if (!catalog.get(name)) {
    return deny("UNKNOWN_TOOL", "unknown-tool", `Portcullis blocked \`${name}\`: server "${policy.name}" does not offer a tool of that name.`);
  }
  const max = policy.tools.maxTools;
  if (max !== undefined && catalog.rankAmong(name, (t) => staticRule(t.name, policy) === undefined) >= max) {
    return deny("TOOL_DENIED", "max-tools", `Portcullis blocked \`${name}\`: server "${policy.name}" may expose at most ${max} tools (tools.max_tools) and this one is beyond the limit.`);
  }
  return ALLOW;
}

/** The name-only rules; undefined means they permit the tool. */
function staticRule(name: string, policy: ServerPolicy): DenyDecision | undefined {
  const t = policy.tools;
  if (matchesAny(t.deny, name)) {
    return deny("TOOL_DENIED", "deny-list", `Portcullis blocked \`${name}\`: it matches the deny list of server "${policy.name}" (tools.deny).`);
  }
  if (t.requirePrefix !== undefined && !name.startsWith(t.requirePrefix)) {
    return deny("TOOL_DENIED", "require-prefix", `Portcullis blocked \`${name}\`: tools of server "${policy.name}" must start with "${t.requirePrefix}" (tools.require_prefix).`);
  }
  if (t.allow !== undefined && !matchesAny(t.allow, name) && !Object.hasOwn(t.policies, name)) {
    return deny("TOOL_DENIED", "allow-list", `Portcullis blocked \`${name}\`: it is not on the allow list of server "${policy.name}" (tools.allow).`);
  }
  return undefined;
}
