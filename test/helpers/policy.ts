import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import type { RawServer } from "../../src/config/schema.js";
import type { ServerPolicy } from "../../src/config/server-policy.js";
import { ToolCatalog } from "../../src/pipeline/tool-catalog.js";

/** A server's effective policy from a raw config entry, as the loader would build it. */
export function policyOf(raw: RawServer = {}, name = "srv"): ServerPolicy {
  return resolveServerPolicy(name, raw, undefined, "/tmp");
}

/** A tool catalog holding tools of the given names (and optional annotations). */
export function catalogOf(...tools: (string | { name: string; annotations?: Record<string, unknown> })[]): ToolCatalog {
  const c = new ToolCatalog();
  c.observe(tools.map((t) => (typeof t === "string" ? { name: t } : t)), true, true);
  return c;
}
