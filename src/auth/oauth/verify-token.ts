import { createHash } from "node:crypto";
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from "jose";
import type { Principal } from "../../pipeline/session-state.js";
import { MetadataCache, type FetchFn } from "./discovery.js";
import { Introspector } from "./introspection.js";
import { acceptedAudiences, type OAuthConfig } from "./oauth-config.js";
import { OAuthUnavailableError } from "./oauth-errors.js";
import { mapScopes, oauthScopesOf } from "./scope-mapping.js";

/** Why a token was refused: always a 401 `invalid_token`; `description` is safe to show the caller. */
export interface TokenFailure {
  ok: false;
  description: string;
}

export { OAuthUnavailableError };

export type TokenResult = { ok: true; principal: Principal; claims: Record<string, unknown> } | TokenFailure;


export interface VerifierDeps {
  fetch?: FetchFn;
  now?: () => number;
}

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Hashed caller identity: `u_<16 hex of sha256(iss, sub)>`, plus `.c_<8 hex>` of the client id when the
 * client is not the subject itself (authorization code: a user through an app). Stable across token
 * refreshes, so sessions and rate limits follow the caller; the raw sub and client id never reach the
 * audit log or the store.
 */
export function principalIdOf(issuer: string, sub: string, clientId: string | undefined): string {
  const h = (s: string, n: number) => createHash("sha256").update(`portcullis-oauth:v1\0${issuer}\0${s}`).digest("hex").slice(0, n);
  const user = `u_${h(`sub\0${sub}`, 16)}`;
  return clientId && clientId !== sub ? `${user}.c_${h(`client\0${clientId}`, 8)}` : user;
}

/**
 * Validates bearer access tokens for `serve`. JWTs (JWS compact) are verified locally against the
 * issuer's JWKS: signature with an allow-listed asymmetric algorithm, `iss` equal to the issuer, `aud`
 * containing an accepted audience (RFC 8707), `exp` required, `exp`/`nbf`/`iat` with `clock_skew_s`
 * tolerance. The JWKS comes from `jwks_uri` or the issuer's metadata; an unknown `kid` refetches it at
 * most once per `jwks_refetch_cooldown_s` (key rotation without a restart, without letting a stream of
 * bogus kids hammer the IdP). Anything else is an opaque token: introspected (RFC 7662) when configured,
 * else refused. Throws OAuthUnavailableError when the IdP cannot be reached.
 */
export class TokenVerifier {
  private readonly metadata: MetadataCache;
  private jwks?: { uri: string; set: ReturnType<typeof createRemoteJWKSet> };
  private readonly introspector?: Introspector;
  private readonly fetchFn: FetchFn;
  private readonly now: () => number;

  constructor(
    readonly cfg: OAuthConfig,
    deps: VerifierDeps = {},
  ) {
    this.fetchFn = deps.fetch ?? fetch;
    this.now = deps.now ?? Date.now;
    this.metadata = new MetadataCache(cfg.issuer, cfg.metadataCacheS, this.fetchFn);
    if (cfg.introspection) this.introspector = new Introspector(cfg, cfg.introspection, this.metadata, this.fetchFn, this.now);
  }

  async verify(token: string, server: string): Promise<TokenResult> {
    if (!JWS.test(token)) {
      if (this.introspector) return this.fromClaims(await this.introspector.introspect(token, server));
      return { ok: false, description: "the bearer token is not a JWT access token" };
    }
    const set = await this.keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, set, {
        issuer: this.cfg.issuer,
        audience: acceptedAudiences(this.cfg, server),
        algorithms: [...this.cfg.algorithms],
        clockTolerance: this.cfg.clockSkewS,
        requiredClaims: ["exp"],
        currentDate: new Date(this.now()),
        ...(this.cfg.requiredTyp !== undefined && { typ: this.cfg.requiredTyp }),
      }));
    } catch (e) {
      return { ok: false, description: describeJoseError(e) };
    }
    return this.fromClaims({ ok: true, claims: payload as Record<string, unknown> });
  }

  private fromClaims(r: { ok: true; claims: Record<string, unknown> } | TokenFailure): TokenResult {
    if (!r.ok) return r;
    const c = r.claims;
    const clientId = str(c.client_id) ?? str(c.azp) ?? str(c.appid);
    const sub = str(c.sub) ?? clientId;
    if (!sub) return { ok: false, description: "the token names no subject (sub) or client" };
    const scopes = mapScopes(oauthScopesOf(c, this.cfg), this.cfg);
    const principal: Principal = { kind: "oauth", id: principalIdOf(this.cfg.issuer, sub, clientId), scopes: Object.freeze(scopes) };
    return { ok: true, principal, claims: c };
  }

  private async keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    let uri = this.cfg.jwksUri;
    if (!uri) {
      let meta;
      try {
        meta = await this.metadata.get();
      } catch (e) {
        throw new OAuthUnavailableError((e as Error).message, { cause: e });
      }
      if (typeof meta.jwks_uri !== "string") throw new OAuthUnavailableError(`issuer ${this.cfg.issuer} publishes no jwks_uri; set auth.oauth.jwks_uri`);
      uri = meta.jwks_uri;
    }
    if (this.jwks?.uri !== uri) {
      const fetchFn = this.fetchFn;
      const set = createRemoteJWKSet(new URL(uri), {
        cooldownDuration: this.cfg.jwksRefetchCooldownS * 1000,
        cacheMaxAge: 10 * 60_000,
        timeoutDuration: 5000,
        [customFetch]: (url: string, init: RequestInit) => fetchFn(url, { ...init, redirect: "error" }),
      });
      // A JWKS we cannot fetch is the IdP being down, not a bad token: surface it as such.
      const guarded = (async (header, input) => {
        try {
          return await set(header, input);
        } catch (e) {
          if (isUnavailable(e)) throw new OAuthUnavailableError(`cannot fetch the JWKS at ${uri}: ${(e as Error).message}`, { cause: e });
          throw e;
        }
      }) as ReturnType<typeof createRemoteJWKSet>;
      this.jwks = { uri, set: guarded };
    }
    return this.jwks.set;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function isUnavailable(e: unknown): boolean {
  if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid) return true;
  if (e instanceof errors.JOSEError) return e.code === "ERR_JOSE_GENERIC";
  return true; // network errors (fetch failed, redirect refused)
}

/** A short, caller-safe reason (goes into `error_description` and the audit line). */
export function describeJoseError(e: unknown): string {
  if (e instanceof OAuthUnavailableError) throw e;
  if (e instanceof errors.JWTExpired) return "the token has expired";
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === "aud") return "the token is not for this resource (audience)";
    if (e.claim === "iss") return "the token is from another issuer";
    if (e.claim === "nbf") return "the token is not yet valid";
    if (e.claim === "iat") return "the token was issued in the future";
    if (e.claim === "typ") return "the token has the wrong type (typ)";
    return `the token's ${e.claim} claim is invalid`;
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return "the token's signing algorithm is not accepted";
  if (e instanceof errors.JWKSNoMatchingKey) return "the token is signed with an unknown key";
  if (e instanceof errors.JWSSignatureVerificationFailed) return "the token's signature is invalid";
  if (e instanceof errors.JWKSMultipleMatchingKeys) return "the token's key is ambiguous";
  if (e instanceof errors.JOSEError) return "the token is malformed";
  throw e;
}
