import type { z } from "zod";
import { closestMatch } from "./closest-match.js";
import { keysAt } from "./schema-keys.js";

/** Turns a zod issue into "key: what is wrong; what is allowed" for a human. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.map(String).join(".") || "(top level)";
  switch (issue.code) {
    case "invalid_value":
      return `${key}: invalid value; allowed: ${issue.values.map((v) => String(v)).join(", ")}`;
    case "unrecognized_keys": {
      const allowed = keysAt(issue.path as (string | number)[]);
      const bad = issue.keys[0]!;
      const hint = closestMatch(bad, allowed);
      const at = issue.path.length ? `${key}.${bad}` : bad;
      return `${at}: unknown key${hint ? ` (did you mean \`${hint}\`?)` : ""}; allowed keys: ${allowed.join(", ")}`;
    }
    case "invalid_type":
      return `${key}: expected ${issue.expected}${issue.input === undefined ? " (missing)" : `, got ${describeValue(issue.input)}`}`;
    default:
      return `${key}: ${issue.message}`;
  }
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  return `${typeof v} ${JSON.stringify(v)}`;
}
