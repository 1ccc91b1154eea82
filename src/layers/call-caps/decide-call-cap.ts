import type { ServerPolicy } from "../../config/server-policy.js";
import { ALLOW, deny, type Decision } from "../../pipeline/decision.js";

export const callCounterKey = (tool: string) => `calls:${tool}`;

/** Refuses a call once `max_calls_per_session` calls of the tool went upstream in this session. */
export function decideCallCap(name: string, policy: ServerPolicy, callsSoFar: number): Decision {
  const max = policy.tools.policies[name]?.max_calls_per_session;
  if (max === undefined || callsSoFar < max) return ALLOW;
  return deny("CALL_CAP_EXCEEDED", "max-calls-per-session", `Portcullis blocked \`${name}\`: it may be called at most ${max} time(s) per session and that limit is used up. Start a new session to reset it.`);
}
