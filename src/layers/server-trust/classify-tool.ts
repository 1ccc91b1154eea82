import type { Operation, ServerPolicy } from "../../config/server-policy.js";
import { matchesAny } from "../../protocol/glob-set.js";
import { TRUST_TABLE } from "./trust-table.js";

export interface ToolClass {
  operation: Operation;
  /** Read-only by grant (config, or annotation where the trust level lets annotations count). */
  readOnly: boolean;
  readOnlySource: "config" | "annotation" | "none";
}

// Verbs that open a tool name, by operation. Unknown verbs count as "execute": the most guarded.
const VERBS: Record<string, Operation> = {};
const add = (op: Operation, words: string) => words.split(" ").forEach((w) => (VERBS[w] = op));
add("read", "get read list show describe view stat info print echo count check inspect fetch head tail cat load download open browse peek tree directory");
add("search", "search find grep lookup locate match scan");
add("query", "query sql select explain aggregate analyze analyse");
add("write", "write create update edit set put add insert upload save move rename copy append patch modify make mkdir new replace upsert tag label");
add("delete", "delete remove drop destroy purge truncate clear wipe erase rm unlink kill revoke");
add("execute", "run exec execute eval shell spawn invoke deploy install send email post transfer pay call trigger start stop restart");

/** The operation a tool name suggests, from its first word (snake, kebab, dot or camel case). */
export function inferOperation(name: string): Operation {
  const first = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase().split(/[^a-z0-9]+/).find(Boolean) ?? "";
  return VERBS[first] ?? "execute";
}

/**
 * Classifies a tool for the trust decision. A tool is side-effecting unless config declares it
 * read-only, or (above untrusted) it carries `readOnlyHint: true` without `destructiveHint: true`;
 * a tool matching `tools.side_effects` is side-effecting whatever it claims.
 */
export function classifyTool(name: string, definition: Record<string, unknown> | undefined, policy: ServerPolicy): ToolClass {
  const perTool = policy.tools.policies[name];
  const ann = (definition?.annotations ?? {}) as Record<string, unknown>;
  let readOnlySource: ToolClass["readOnlySource"] = "none";
  // `side_effects` is the stricter statement, so it wins over every read-only grant or hint.
  if (matchesAny(policy.tools.sideEffects, name)) readOnlySource = "none";
  else if (perTool?.read_only === true || matchesAny(policy.tools.readOnly, name)) readOnlySource = "config";
  else if (TRUST_TABLE[policy.trust].annotationsGrant && ann.readOnlyHint === true && ann.destructiveHint !== true) readOnlySource = "annotation";
  const readOnly = readOnlySource !== "none";
  const operation = perTool?.operation ?? (readOnly ? "read" : inferOperation(name));
  return { operation, readOnly, readOnlySource };
}
