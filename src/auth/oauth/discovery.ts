/** What Portcullis reads from an authorization server's metadata (OIDC Discovery / RFC 8414). */
export interface IssuerMetadata {
  issuer: string;
  jwks_uri?: string;
  introspection_endpoint?: string;
  authorization_endpoint?: string;
  token_endpoint?: string;
  [k: string]: unknown;
}

export type FetchFn = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** The metadata URLs to try for an issuer, in order: OIDC Discovery, then RFC 8414 (path-inserted). */
export function metadataUrls(issuer: string): string[] {
  const u = new URL(issuer);
  const path = u.pathname.replace(/\/+$/, "");
  const oidc = `${u.origin}${path}/.well-known/openid-configuration`;
  const rfc8414 = `${u.origin}/.well-known/oauth-authorization-server${path}`;
  const oidcInserted = `${u.origin}/.well-known/openid-configuration${path}`;
  return [...new Set([oidc, rfc8414, oidcInserted])];
}

/**
 * Fetches and caches an issuer's metadata. The document's `issuer` must equal the configured one
 * exactly (RFC 8414 section 3.3, mix-up defence). Successful results are kept `ttlS` seconds;
 * concurrent callers share one fetch; a failure is not cached (the next request tries again) but
 * throws, so the gateway answers 503 rather than letting anything through.
 */
export class MetadataCache {
  private value?: { meta: IssuerMetadata; at: number };
  private inflight?: Promise<IssuerMetadata>;

  constructor(
    private readonly issuer: string,
    private readonly ttlS: number,
    private readonly fetchFn: FetchFn = fetch,
    private readonly timeoutMs = 5000,
  ) {}

  async get(now: number = Date.now()): Promise<IssuerMetadata> {
    if (this.value && now - this.value.at < this.ttlS * 1000) return this.value.meta;
    this.inflight ??= this.load().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async load(): Promise<IssuerMetadata> {
    const errors: string[] = [];
    for (const url of metadataUrls(this.issuer)) {
      let res: Response;
      try {
        res = await this.fetchFn(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(this.timeoutMs), redirect: "error" });
      } catch (e) {
        errors.push(`${url}: ${(e as Error).message}`);
        continue;
      }
      if (!res.ok) {
        errors.push(`${url}: HTTP ${res.status}`);
        await res.body?.cancel();
        continue;
      }
      const body = (await res.json().catch(() => undefined)) as IssuerMetadata | undefined;
      if (!body || typeof body !== "object" || typeof body.issuer !== "string") {
        errors.push(`${url}: not an authorization server metadata document`);
        continue;
      }
      if (body.issuer !== this.issuer) throw new Error(`the metadata at ${url} names issuer ${body.issuer}, not the configured ${this.issuer}`);
      this.value = { meta: body, at: Date.now() };
      return body;
    }
    throw new Error(`cannot read the metadata of issuer ${this.issuer} (${errors.join("; ")})`);
  }
}
