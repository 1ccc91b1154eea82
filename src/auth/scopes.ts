import { OPERATIONS, type Operation } from "../config/vocabulary.js";
import { matchesAny } from "../protocol/glob-set.js";

/**
 * API-key scopes (docs/api-keys.md). A scope is a grant; a key may do what at least one of its
 * grants allows (scopes only ever add). Grammar:
 *
 *   scope := "*" | part ("/" part)*          each kind at most once, any order
 *   part  := "server:" GLOB | "tool:" GLOB | "op:" OP ("|" OP)*
 *   OP    := read | search | query | write | delete | execute
 *
 * A part left out matches anything: `server:files` = every tool on `files`; `op:read|search` =
 * read and search tools on every server; `server:db/tool:query_*` = tools named query_* on `db`;
 * `server:files/op:read` = read tools on `files`; `*` = everything. Globs are the same as in tool
 * policies (`*` matches any run of characters).
 */
export interface ScopeGrant {
  /** Role grants (`admin`, `approvals`) decide approvals on the web page and reach no server or tool. */
  role?: "admin" | "approvals";
  server?: readonly string[];
  tool?: readonly string[];
  ops?: ReadonlySet<Operation>;
}

/** What a request touches. Leave out `tool` to ask "may this key use anything on this server?". */
export interface ScopeTarget {
  server: string;
  tool?: string;
  /** The tool's operation class. With a `tool` but no `operation`, grants limited by `op:` do not match (fail closed). */
  operation?: Operation;
}

const GLOB = /^[^\s/,:]+$/;

/** Parses one scope; throws a RangeError that says what is wrong and what is accepted. */
export function parseScope(scope: string): ScopeGrant {
  const s = scope.trim();
  if (s === "*") return {};
  // A role reaches no MCP endpoint: an empty server list matches nothing.
  if (s === "admin" || s === "approvals") return { role: s, server: [] };
  if (s === "") throw new RangeError("empty scope; use * for everything, or server:NAME, tool:GLOB, op:OPERATION joined by /");
  const grant: { server?: string[]; tool?: string[]; ops?: Set<Operation> } = {};
  for (const part of s.split("/")) {
    const i = part.indexOf(":");
    const kind = i === -1 ? part : part.slice(0, i);
    const value = i === -1 ? "" : part.slice(i + 1);
    if (kind !== "server" && kind !== "tool" && kind !== "op") {
      throw new RangeError(`scope "${scope}": "${part}" is not server:GLOB, tool:GLOB or op:OPERATION (or a role: admin, approvals)`);
    }
    if (grant[kind === "op" ? "ops" : kind] !== undefined) throw new RangeError(`scope "${scope}": "${kind}:" appears twice; give another scope instead`);
    if (kind === "op") {
      const ops = value.split("|");
      for (const op of ops) {
        if (!(OPERATIONS as readonly string[]).includes(op)) throw new RangeError(`scope "${scope}": unknown operation "${op}"; one of ${OPERATIONS.join(", ")}`);
      }
      grant.ops = new Set(ops as Operation[]);
    } else {
      if (!GLOB.test(value)) throw new RangeError(`scope "${scope}": "${kind}:" needs a name or glob without spaces, "/", "," or ":"`);
      grant[kind] = [value];
    }
  }
  return grant;
}

/** Validates a list of scopes (throws RangeError on the first bad one) and returns them trimmed. */
export function normalizeScopes(scopes: readonly string[]): string[] {
  const out = scopes.map((s) => s.trim());
  if (out.length === 0) throw new RangeError("a key needs at least one scope (* for everything)");
  out.forEach(parseScope);
  return [...new Set(out)];
}

const parsed = new WeakMap<readonly string[], ScopeGrant[]>();

function grantsOf(scopes: readonly string[]): ScopeGrant[] {
  let g = parsed.get(scopes);
  if (!g) {
    g = [];
    for (const s of scopes) {
      try {
        g.push(parseScope(s));
      } catch {
        // a malformed stored scope grants nothing (fail closed)
      }
    }
    parsed.set(scopes, g);
  }
  return g;
}

/** True when some scope grants the target. Pure; parsed scopes are cached per array. */
export function scopeAllows(scopes: readonly string[], target: ScopeTarget): boolean {
  for (const g of grantsOf(scopes)) {
    if (g.server && !matchesAny(g.server, target.server)) continue;
    if (target.tool === undefined) return true;
    if (g.tool && !matchesAny(g.tool, target.tool)) continue;
    if (g.ops && (target.operation === undefined || !g.ops.has(target.operation))) continue;
    return true;
  }
  return false;
}
