import type { ServerPolicy } from "../../config/server-policy.js";
import { ALLOW, deny, hold, type Decision } from "../../pipeline/decision.js";
import { classifyTool } from "./classify-tool.js";
import { TRUST_TABLE } from "./trust-table.js";

export interface TrustFacts {
  /** An injection was detected earlier in this session: side effects now always need approval. */
  injectionSeen?: boolean;
}

/**
 * What the server's trust level allows for one tool: run, run after approval, or refuse.
 * Explicit per-tool `approval: always|never` wins over the trust default; `never` cannot lift the
 * untrusted level's read-only restriction.
 */
export function decideTrust(name: string, definition: Record<string, unknown> | undefined, policy: ServerPolicy, facts: TrustFacts = {}): Decision {
  const row = TRUST_TABLE[policy.trust];
  const cls = classifyTool(name, definition, policy);
  const approval = policy.tools.policies[name]?.approval ?? "auto";
  if (!cls.readOnly && row.sideEffects === "deny") {
    return deny("OPERATION_DENIED", "trust-read-only", `Portcullis blocked \`${name}\`: server "${policy.name}" is untrusted, so only tools declared read-only in config may run (tools.read_only).`);
  }
  if (approval === "never") return ALLOW;
  if (approval === "always") return hold("approval-always", `\`${name}\` is configured to need approval for every call`);
  if (row.approveAll) return hold("trust-approve-all", `server "${policy.name}" is untrusted: every call needs approval`);
  if (cls.readOnly) return ALLOW;
  if (facts.injectionSeen) {
    return hold("after-injection", `a prompt injection was detected earlier in this session, so side-effecting \`${name}\` needs approval`);
  }
  if (row.free.includes(cls.operation)) return ALLOW;
  return hold("trust-side-effect", `\`${name}\` looks side-effecting (${cls.operation}) and server "${policy.name}" has trust "${policy.trust}"`);
}
