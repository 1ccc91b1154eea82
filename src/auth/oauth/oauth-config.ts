import { z } from "zod";
import { ConfigError } from "../../errors/portcullis-error.js";
import { parseScope } from "../scopes.js";

/** Asymmetric JWS algorithms only: `none` and HS* (shared secrets) can never verify an IdP's token. */
export const ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"] as const;

const httpUrl = z.url({ protocol: /^https?$/ }).describe("an http(s) URL");
const scopeGrant = z.string().refine((s) => {
  try {
    parseScope(s);
    return true;
  } catch {
    return false;
  }
}, "not a Portcullis scope (docs/api-keys.md#scopes: *, server:NAME, tool:GLOB, op:OPERATION joined by /)");

/**
 * `auth.oauth` (serve only). The config schema keeps this key loose (`record<string, unknown>`); this is
 * the strict schema `serve` applies to it (docs/oauth.md).
 */
export const oauthConfigSchema = z.strictObject({
  issuer: httpUrl.describe("the authorization server's issuer identifier (exactly as in its metadata and the tokens' iss)"),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).describe("accepted token audience(s): the gateway's resource URI (RFC 8707), e.g. https://gw.example.com/mcp; also an API id such as an Entra application id"),
  resource: httpUrl.optional().describe("public base URL of the gateway, e.g. https://gw.example.com (default: the origin of the first audience; required when that is not an http(s) URL)"),
  jwks_uri: httpUrl.optional().describe("the issuer's JWKS; default: jwks_uri from the issuer's OIDC / RFC 8414 metadata"),
  algorithms: z.array(z.enum(ASYMMETRIC_ALGORITHMS)).min(1).optional().describe("accepted JWS algorithms (default: all asymmetric ones; none and HS* are never accepted)"),
  clock_skew_s: z.number().int().min(0).max(300).optional().describe("tolerance for exp / nbf / iat, seconds (default 30)"),
  scope_claim: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional().describe("claim(s) holding the token's scopes (default [scope, scp]); a space-separated string or an array"),
  scope_prefix: z.string().optional().describe('OAuth scopes starting with this map to Portcullis scopes with the prefix removed (default "portcullis:"; "" = use scopes as they are)'),
  scope_map: z.record(z.string().min(1), z.array(scopeGrant).min(1)).optional().describe("OAuth scope (or role) -> Portcullis scopes, e.g. Files.Read: [server:files/op:read]"),
  per_server_resource: z.boolean().optional().describe("advertise https://gw/mcp/<server> as each endpoint's resource in its metadata (default false: the first audience)"),
  required_typ: z.string().optional().describe('require this JWT "typ" header, e.g. at+jwt (RFC 9068); default: not checked'),
  introspection: z
    .strictObject({
      endpoint: httpUrl.optional().describe("RFC 7662 endpoint (default: introspection_endpoint from the issuer's metadata)"),
      client_id: z.string().min(1),
      client_secret_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).describe("name of the environment variable holding the client secret"),
      cache_s: z.number().int().min(0).max(3600).optional().describe("how long an introspection result is reused (default 60, never past the token's exp)"),
    })
    .optional()
    .describe("RFC 7662 introspection for opaque (non-JWT) access tokens"),
  metadata_cache_s: z.number().int().min(10).max(86_400).optional().describe("how long discovered issuer metadata is reused (default 3600)"),
  jwks_refetch_cooldown_s: z.number().int().min(1).max(3600).optional().describe("minimum time between JWKS refetches on an unknown kid (default 30)"),
});

export type RawOAuthConfig = z.infer<typeof oauthConfigSchema>;

/** `auth.oauth` with defaults applied. */
export interface OAuthConfig {
  issuer: string;
  audiences: readonly string[];
  /** Public base URL of the gateway, without a trailing slash. */
  resource: string;
  jwksUri?: string;
  algorithms: readonly string[];
  clockSkewS: number;
  scopeClaims: readonly string[];
  scopePrefix: string;
  scopeMap: Readonly<Record<string, readonly string[]>>;
  perServerResource: boolean;
  requiredTyp?: string;
  introspection?: { endpoint?: string; clientId: string; clientSecret: string; cacheS: number };
  metadataCacheS: number;
  jwksRefetchCooldownS: number;
}

/**
 * Validates `auth.oauth` (from the loosely typed config) and applies defaults. Throws ConfigError
 * naming the key; `env` supplies the introspection client secret.
 */
export function parseOAuthConfig(raw: unknown, env: Record<string, string | undefined> = process.env, where = "auth.oauth"): OAuthConfig {
  const r = oauthConfigSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${[where, ...i.path.map(String)].join(".")}: ${i.message}`);
    throw new ConfigError(`invalid ${where}:\n${lines.join("\n")}`);
  }
  const c = r.data;
  const audiences = typeof c.audience === "string" ? [c.audience] : c.audience;
  const first = URL.canParse(audiences[0]!) ? new URL(audiences[0]!) : undefined;
  if (!c.resource && (!first || !/^https?:$/.test(first.protocol))) throw new ConfigError(`${where}.resource: set the gateway's public URL (e.g. https://gw.example.com): the audience ${audiences[0]} is not an http(s) URL`);
  const resource = (c.resource ?? first!.origin).replace(/\/+$/, "");
  let introspection: OAuthConfig["introspection"];
  if (c.introspection) {
    const secret = env[c.introspection.client_secret_env];
    if (!secret) throw new ConfigError(`${where}.introspection.client_secret_env: environment variable ${c.introspection.client_secret_env} is not set`);
    introspection = { endpoint: c.introspection.endpoint, clientId: c.introspection.client_id, clientSecret: secret, cacheS: c.introspection.cache_s ?? 60 };
  }
  return {
    issuer: c.issuer,
    audiences,
    resource,
    jwksUri: c.jwks_uri,
    algorithms: c.algorithms ?? [...ASYMMETRIC_ALGORITHMS],
    clockSkewS: c.clock_skew_s ?? 30,
    scopeClaims: c.scope_claim === undefined ? ["scope", "scp"] : typeof c.scope_claim === "string" ? [c.scope_claim] : c.scope_claim,
    scopePrefix: c.scope_prefix ?? "portcullis:",
    scopeMap: c.scope_map ?? {},
    perServerResource: c.per_server_resource ?? false,
    requiredTyp: c.required_typ,
    introspection,
    metadataCacheS: c.metadata_cache_s ?? 3600,
    jwksRefetchCooldownS: c.jwks_refetch_cooldown_s ?? 30,
  };
}

/** The audiences a token for `server` may carry: the configured ones, and that endpoint's own resource URI. */
export function acceptedAudiences(cfg: Pick<OAuthConfig, "audiences" | "resource">, server: string): string[] {
  return [...cfg.audiences, `${cfg.resource}/mcp/${server}`];
}
