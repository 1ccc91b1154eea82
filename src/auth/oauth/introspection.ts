import { createHash } from "node:crypto";
import type { FetchFn, MetadataCache } from "./discovery.js";
import { acceptedAudiences, type OAuthConfig } from "./oauth-config.js";
import { OAuthUnavailableError } from "./oauth-errors.js";
import type { TokenFailure } from "./verify-token.js";

type Checked = { ok: true; claims: Record<string, unknown> } | TokenFailure;

const MAX_ENTRIES = 10_000;

/**
 * RFC 7662 token introspection for opaque access tokens, with a TTL cache keyed by the token's
 * SHA-256 (never the token). A result is reused for `cache_s` seconds and never past the token's
 * `exp`; refusals are cached too, so a replayed bad token costs one call per TTL. The response must
 * say `active: true`, name the configured issuer (when it names one) and an accepted audience; `exp`
 * and `nbf` are checked with the clock skew. The client authenticates with client_secret_basic.
 */
export class Introspector {
  private readonly cache = new Map<string, { until: number; result: { ok: true; claims: Record<string, unknown> } | { ok: false; description: string } }>();

  constructor(
    private readonly cfg: OAuthConfig,
    private readonly ic: NonNullable<OAuthConfig["introspection"]>,
    private readonly metadata: MetadataCache,
    private readonly fetchFn: FetchFn,
    private readonly now: () => number,
  ) {}

  async introspect(token: string, server: string): Promise<Checked> {
    const key = createHash("sha256").update(token).digest("hex");
    const now = this.now();
    const hit = this.cache.get(key);
    let claims: Record<string, unknown> | undefined;
    if (hit && hit.until > now) {
      if (!hit.result.ok) return hit.result;
      claims = hit.result.claims;
    } else {
      claims = await this.call(token);
      const exp = typeof claims.exp === "number" ? claims.exp * 1000 : Infinity;
      const result = claims.active === true ? { ok: true as const, claims } : { ok: false as const, description: "the token is not active" };
      if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, { until: Math.min(now + this.ic.cacheS * 1000, exp), result });
      if (!result.ok) return result;
    }
    return check(claims, this.cfg, server, now);
  }

  private async call(token: string): Promise<Record<string, unknown>> {
    let endpoint = this.ic.endpoint;
    try {
      endpoint ??= (await this.metadata.get()).introspection_endpoint;
    } catch (e) {
      throw new OAuthUnavailableError(`cannot discover the introspection endpoint: ${(e as Error).message}`, { cause: e });
    }
    if (typeof endpoint !== "string") throw new OAuthUnavailableError(`issuer ${this.cfg.issuer} publishes no introspection_endpoint; set auth.oauth.introspection.endpoint`);
    const basic = Buffer.from(`${encodeURIComponent(this.ic.clientId)}:${encodeURIComponent(this.ic.clientSecret)}`).toString("base64");
    let res: Response;
    try {
      res = await this.fetchFn(endpoint, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({ token, token_type_hint: "access_token" }).toString(),
      signal: AbortSignal.timeout(5000),
      redirect: "error",
      });
    } catch (e) {
      throw new OAuthUnavailableError(`cannot reach the introspection endpoint: ${(e as Error).message}`, { cause: e });
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new OAuthUnavailableError(`the introspection endpoint answered HTTP ${res.status}`);
    }
    const body = (await res.json()) as unknown;
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new OAuthUnavailableError("the introspection endpoint did not answer a JSON object");
    return body as Record<string, unknown>;
  }
}

function check(c: Record<string, unknown>, cfg: OAuthConfig, server: string, now: number): Checked {
  const skew = cfg.clockSkewS * 1000;
  if (c.iss !== undefined && c.iss !== cfg.issuer) return { ok: false, description: "the token is from another issuer" };
  if (typeof c.exp === "number" && c.exp * 1000 + skew <= now) return { ok: false, description: "the token has expired" };
  if (typeof c.nbf === "number" && c.nbf * 1000 - skew > now) return { ok: false, description: "the token is not yet valid" };
  const aud = typeof c.aud === "string" ? [c.aud] : Array.isArray(c.aud) ? c.aud : [];
  const accepted = acceptedAudiences(cfg, server);
  if (!aud.some((a) => accepted.includes(a as string))) return { ok: false, description: "the token is not for this resource (audience)" };
  return { ok: true, claims: c };
}
