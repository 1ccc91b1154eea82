import type { ArgumentRule } from "../../config/server-policy.js";

const regexCache = new WeakMap<ArgumentRule, RegExp>();

function regexOf(rule: ArgumentRule): RegExp {
  let re = regexCache.get(rule);
  if (!re) {
    re = new RegExp(rule.pattern!, "u");
    regexCache.set(rule, re);
  }
  return re;
}

/**
 * Checks tool-call arguments against the configured rules. Returns the first violation as a
 * sentence naming the argument and the rule, or undefined when all rules hold. Patterns match the
 * raw string: anchor them (`^...$`) and exclude `..` for paths.
 */
export function checkArguments(args: unknown, rules: Readonly<Record<string, ArgumentRule>>): { argument: string; rule: string; reason: string } | undefined {
  if (args !== undefined && (typeof args !== "object" || args === null || Array.isArray(args))) {
    return { argument: "(all)", rule: "object", reason: "`arguments` must be an object" };
  }
  const a = (args ?? {}) as Record<string, unknown>;
  // Object.keys and a plain loop: same order as Object.entries, without a [key, rule] pair per rule per call.
  const keys = Object.keys(rules);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const rule = rules[key]!;
    const v = a[key];
    if (v === undefined) {
      if (rule.required) return { argument: key, rule: "required", reason: `argument \`${key}\` is required` };
      continue;
    }
    if (rule.enum !== undefined && !isOneOf(v, rule.enum)) {
      return { argument: key, rule: "enum", reason: `argument \`${key}\` must be one of ${rule.enum.map((e) => JSON.stringify(e)).join(", ")}` };
    }
    if (rule.pattern !== undefined) {
      if (typeof v !== "string") return { argument: key, rule: "pattern", reason: `argument \`${key}\` must be a string matching /${rule.pattern}/` };
      if (!regexOf(rule).test(v)) return { argument: key, rule: "pattern", reason: `argument \`${key}\` does not match /${rule.pattern}/` };
    }
    if (rule.max_length !== undefined) {
      const len = typeof v === "string" ? codePointLength(v, rule.max_length) : JSON.stringify(v).length;
      if (len > rule.max_length) return { argument: key, rule: "max_length", reason: `argument \`${key}\` is ${len} characters long; the limit is ${rule.max_length}` };
    }
    if (rule.min !== undefined || rule.max !== undefined) {
      if (typeof v !== "number" || !Number.isFinite(v)) return { argument: key, rule: "range", reason: `argument \`${key}\` must be a number` };
      if (rule.min !== undefined && v < rule.min) return { argument: key, rule: "range", reason: `argument \`${key}\` is ${v}; the minimum is ${rule.min}` };
      if (rule.max !== undefined && v > rule.max) return { argument: key, rule: "range", reason: `argument \`${key}\` is ${v}; the maximum is ${rule.max}` };
    }
  }
  return undefined;
}

/** `values.some((e) => e === v)`, without a callback per call. */
function isOneOf(v: unknown, values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] === v) return true;
  return false;
}

/**
 * `[...s].length` (characters: a surrogate pair counts once, a lone surrogate once) without building
 * an array. A string of at most `limit` UTF-16 units has at most `limit` characters, so such strings,
 * the usual case, are answered without counting (the exact count only matters over the limit).
 */
function codePointLength(s: string, limit: number): number {
  if (s.length <= limit) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}
