import type { z } from "zod";
import { closestMatch } from "./closest-match.js";
import { keysAt } from "./schema-keys.js";

/**
 * A union that failed (`classifier: {...} | false`) reports "Invalid input" at the union's key.
 * When one member failed deeper inside the value (a mapping with a missing or unknown key), that
 * member is what the user meant: report its first issue, at its full path.
 */
export function unwrapUnionIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
  const inner = issue.errors.map((branch) => branch[0]).filter((i): i is z.core.$ZodIssue => i !== undefined && i.path.length > 0);
  if (inner.length !== 1) return issue;
  return unwrapUnionIssue({ ...inner[0]!, path: [...issue.path, ...inner[0]!.path] } as z.core.$ZodIssue);
}

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
    case "invalid_union": {
      // No member fits at all: list what each accepts ("a mapping or false", "low | default | high or number").
      const alts = issue.errors.map((b) => b[0]).map((i) => (i?.path.length !== 0 ? undefined : i.code === "invalid_type" ? (i.expected === "object" ? "a mapping" : i.expected) : i.code === "invalid_value" ? i.values.map((v) => JSON.stringify(v)).join(" | ") : undefined));
      if (alts.length > 0 && alts.every((a) => a !== undefined)) return `${key}: expected ${alts.join(" or ")}, got ${describeValue(issue.input)}`;
      return `${key}: ${issue.message}`;
    }
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
