import { parseScope, scopeAllows } from "../scopes.js";
import type { OAuthConfig } from "./oauth-config.js";

/** The token's OAuth scopes/roles from the configured claims: space-separated strings or string arrays. */
export function oauthScopesOf(claims: Record<string, unknown>, cfg: Pick<OAuthConfig, "scopeClaims">): string[] {
  const out = new Set<string>();
  for (const name of cfg.scopeClaims) {
    const v = claims[name];
    const items = typeof v === "string" ? v.split(/\s+/) : Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
    for (const s of items) if (s !== "") out.add(s);
  }
  return [...out];
}

function valid(scope: string): boolean {
  try {
    parseScope(scope);
    return true;
  } catch {
    return false;
  }
}

/**
 * OAuth scopes -> Portcullis scopes (docs/oauth.md): an entry of `scope_map` maps an OAuth scope or
 * role to its listed grants; a scope starting with `scope_prefix` ("portcullis:" by default) maps to
 * the rest when that is a valid Portcullis scope (`portcullis:server:files/op:read` ->
 * `server:files/op:read`, `portcullis:*` -> `*`). Anything else (openid, profile, ...) grants nothing.
 */
export function mapScopes(oauthScopes: readonly string[], cfg: Pick<OAuthConfig, "scopePrefix" | "scopeMap">): string[] {
  const out = new Set<string>();
  for (const s of oauthScopes) {
    const mapped = Object.hasOwn(cfg.scopeMap, s) ? cfg.scopeMap[s] : undefined;
    if (mapped) for (const g of mapped) out.add(g);
    if (s.startsWith(cfg.scopePrefix)) {
      const rest = s.slice(cfg.scopePrefix.length);
      if (rest !== "" && valid(rest)) out.add(rest);
    }
  }
  return [...out];
}

/** The OAuth scope(s) to name in an `insufficient_scope` challenge for `server`. */
export function scopeHintFor(server: string, cfg: Pick<OAuthConfig, "scopePrefix" | "scopeMap">): string {
  const mapped = Object.entries(cfg.scopeMap).filter(([, grants]) => scopeAllows(grants, { server })).map(([k]) => k);
  if (mapped.length > 0) return mapped[0]!;
  return `${cfg.scopePrefix}server:${server}`;
}
