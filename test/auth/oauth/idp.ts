import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import Provider, { type Configuration } from "oidc-provider";

/** A signing key the test IdP publishes (private JWK for oidc-provider, plus the KeyObject for forging). */
export interface TestKey {
  kid: string;
  jwk: JWK;
  privateKey: CryptoKey;
}

export async function makeKey(kid: string): Promise<TestKey> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
  return { kid, jwk, privateKey };
}

export interface IdpOptions {
  /** Every resource indicator the IdP will mint tokens for (anything under these prefixes). */
  resources: (resource: string) => boolean;
  /** Access-token format per resource (default jwt). */
  format?: (resource: string) => "jwt" | "opaque";
  accessTokenTTL?: number;
}

const RESOURCE_SCOPES = "portcullis:server:everything portcullis:server:other portcullis:* portcullis:approvals openid";

/**
 * A real OAuth 2.1 authorization server (oidc-provider) on 127.0.0.1 with a random port: client
 * credentials, authorization code + PKCE with a test-only interaction that logs in "alice" and
 * consents automatically, dynamic client registration, RFC 8707 resource indicators (JWT access
 * tokens with aud = the resource), introspection. `rotate()` swaps in a provider with a new key
 * first (same issuer, same port); `jwksFetches` counts JWKS downloads.
 */
export class TestIdp {
  jwksFetches = 0;
  provider!: Provider;
  keys: TestKey[] = [];
  private constructor(
    readonly issuer: string,
    private readonly server: http.Server,
    private readonly opts: IdpOptions,
  ) {}

  static async start(opts: IdpOptions): Promise<TestIdp> {
    const holder: { idp?: TestIdp } = {};
    const server = http.createServer((req, res) => void holder.idp!.handle(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const idp = (holder.idp = new TestIdp(issuer, server, opts));
    await idp.useKeys([await makeKey("key-1")]);
    return idp;
  }

  /** Replaces the provider with one publishing `keys` (the first one signs). */
  async useKeys(keys: TestKey[]): Promise<void> {
    this.keys = keys;
    this.provider = new Provider(this.issuer, this.configuration(keys));
  }

  /** Key rotation: a new signing key first, the old ones still published. */
  async rotate(kid: string): Promise<TestKey> {
    const k = await makeKey(kid);
    await this.useKeys([k, ...this.keys]);
    return k;
  }

  private configuration(keys: TestKey[]): Configuration {
    const opts = this.opts;
    return {
      clients: [
        { client_id: "machine", client_secret: "machine-secret-0123456789", grant_types: ["client_credentials"], redirect_uris: [], response_types: [], scope: RESOURCE_SCOPES },
        { client_id: "unscoped", client_secret: "unscoped-secret-0123456789", grant_types: ["client_credentials"], redirect_uris: [], response_types: [], scope: "portcullis:server:other" },
        { client_id: "gateway", client_secret: "gateway-secret-0123456789", grant_types: [], redirect_uris: [], response_types: [] },
      ],
      jwks: { keys: keys.map((k) => k.jwk) },
      scopes: ["openid", "offline_access", "portcullis:server:everything", "portcullis:server:other", "portcullis:*", "portcullis:approvals"],
      findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub }) }),
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        introspection: { enabled: true },
        registration: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => undefined as unknown as string,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string) => {
            if (!opts.resources(resource)) throw new Error(`unknown resource ${resource}`);
            const fmt = opts.format?.(resource) ?? "jwt";
            return { scope: RESOURCE_SCOPES, audience: resource, accessTokenTTL: opts.accessTokenTTL ?? 300, accessTokenFormat: fmt, ...(fmt === "jwt" && { jwt: { sign: { alg: "RS256" } } }) };
          },
        },
      },
      pkce: { required: () => true },
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      cookies: { keys: ["test-cookie-key-0123456789"] },
      ttl: { AccessToken: 300, ClientCredentials: 300, AuthorizationCode: 60, Interaction: 600, Session: 600, Grant: 600, IdToken: 300, RefreshToken: 600 },
      clientBasedCORS: () => true,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? "/", this.issuer).pathname;
      if (path === "/jwks") this.jwksFetches++;
      if (path.startsWith("/interaction/")) return await this.interact(req, res);
      this.provider.callback()(req, res);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  }

  /** Test-only interaction: logs in alice and grants whatever was asked. */
  private async interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const provider = this.provider;
    const details = await provider.interactionDetails(req, res);
    const { prompt, params, session } = details;
    if (prompt.name === "login") {
      await provider.interactionFinished(req, res, { login: { accountId: "alice" } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = details.grantId ? (await provider.Grant.find(details.grantId))! : new provider.Grant({ accountId: session!.accountId, clientId: params.client_id as string });
    const d = prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(" "));
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(" "));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  /** A client-credentials token for `resource` (form-encoded, client_secret_basic). */
  async clientCredentials(resource: string, scope = "portcullis:server:everything", client = "machine", secret = "machine-secret-0123456789"): Promise<string> {
    const r = await fetch(`${this.issuer}/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${client}:${secret}`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "client_credentials", resource, scope }).toString(),
    });
    const body = (await r.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!body.access_token) throw new Error(`token request failed: ${r.status} ${JSON.stringify(body)}`);
    return body.access_token;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/**
 * Follows the authorization redirects like a browser would (cookies kept) until the IdP redirects
 * to `redirectUri`; returns the authorization code.
 */
export async function driveAuthorization(start: URL, redirectUri: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = start.href;
  for (let i = 0; i < 10; i++) {
    const r = await fetch(url, { redirect: "manual", headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } });
    for (const c of r.headers.getSetCookie()) {
      const kv = c.split(";")[0]!;
      const eq = kv.indexOf("=");
      jar.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
    const loc = r.headers.get("location");
    if (!loc) throw new Error(`authorization stopped at ${url}: HTTP ${r.status} ${(await r.text()).slice(0, 300)}`);
    const next = new URL(loc, url);
    if (next.href.startsWith(redirectUri)) {
      const code = next.searchParams.get("code");
      if (!code) throw new Error(`authorization failed: ${next.search}`);
      return code;
    }
    url = next.href;
  }
  throw new Error("too many redirects");
}
