import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../../src/errors/portcullis-error.js";
import { composeAuthenticators, createOAuthAuthenticator, type Authenticator } from "../../../src/auth/oauth/oauth-authenticator.js";
import { MetadataCache, metadataUrls } from "../../../src/auth/oauth/discovery.js";
import { parseOAuthConfig } from "../../../src/auth/oauth/oauth-config.js";
import { createProtectedResourceHandler, protectedResourceMetadata } from "../../../src/auth/oauth/protected-resource.js";
import { mapScopes, oauthScopesOf, scopeHintFor } from "../../../src/auth/oauth/scope-mapping.js";
import { OAuthUnavailableError, principalIdOf, TokenVerifier } from "../../../src/auth/oauth/verify-token.js";
import { TestIdp } from "./idp.js";

const base = { issuer: "https://idp.example.com", audience: "https://gw.example.com/mcp" };

describe("auth.oauth config", () => {
  it("applies defaults: resource from the audience, asymmetric algorithms, 30 s skew, scope/scp claims", () => {
    const c = parseOAuthConfig(base);
    expect(c).toMatchObject({ resource: "https://gw.example.com", audiences: ["https://gw.example.com/mcp"], clockSkewS: 30, scopeClaims: ["scope", "scp"], scopePrefix: "portcullis:" });
    expect(c.algorithms).not.toContain("none");
    expect(c.algorithms.some((a) => a.startsWith("HS"))).toBe(false);
  });

  it("refuses none, HS*, unknown keys, bad scope_map grants and a missing introspection secret", () => {
    for (const bad of [{ ...base, algorithms: ["none"] }, { ...base, algorithms: ["HS256"] }, { ...base, audiences: "x" }, { ...base, scope_map: { "Files.Read": ["server:files/op:bogus"] } }, { ...base, clock_skew_s: 3600 }, { issuer: "not a url", audience: base.audience }]) {
      expect(() => parseOAuthConfig(bad, {})).toThrow(ConfigError);
    }
    expect(() => parseOAuthConfig({ ...base, introspection: { client_id: "gw", client_secret_env: "GW_SECRET" } }, {})).toThrow(/GW_SECRET is not set/);
    expect(parseOAuthConfig({ ...base, introspection: { client_id: "gw", client_secret_env: "GW_SECRET" } }, { GW_SECRET: "s" }).introspection).toMatchObject({ clientId: "gw", clientSecret: "s", cacheS: 60 });
  });
});

describe("scope mapping", () => {
  const cfg = parseOAuthConfig({ ...base, scope_claim: ["scp", "roles"], scope_map: { "Files.Read": ["server:files/op:read|search"], Admin: ["*"] } });
  it("reads space-separated and array claims; maps prefixed scopes and scope_map entries; ignores the rest", () => {
    const scopes = oauthScopesOf({ scp: "openid Files.Read portcullis:server:db/tool:query_*", roles: ["Admin", 7] }, cfg);
    expect(scopes).toEqual(["openid", "Files.Read", "portcullis:server:db/tool:query_*", "Admin"]);
    expect(mapScopes(scopes, cfg)).toEqual(["server:files/op:read|search", "server:db/tool:query_*", "*"]);
    expect(mapScopes(["portcullis:server:a b", "portcullis:", "portcullis:op:fly", "toString", "__proto__"], cfg)).toEqual([]);
  });
  it("names the scope to request: a scope_map entry that reaches the server, else the prefixed server scope", () => {
    expect(scopeHintFor("files", cfg)).toBe("Files.Read");
    expect(scopeHintFor("db", { ...cfg, scopeMap: {} })).toBe("portcullis:server:db");
  });
  it("hashes the caller: stable, distinct per issuer, sub and client, never the raw values", () => {
    const a = principalIdOf("https://i", "alice", "app");
    expect(a).toMatch(/^u_[0-9a-f]{16}\.c_[0-9a-f]{8}$/);
    expect(principalIdOf("https://i", "alice", "app")).toBe(a);
    expect(principalIdOf("https://j", "alice", "app")).not.toBe(a);
    expect(principalIdOf("https://i", "machine", "machine")).toMatch(/^u_[0-9a-f]{16}$/);
  });
});

describe("protected-resource metadata", () => {
  it("advertises the shared audience, or each endpoint's own URI with per_server_resource", () => {
    const shared = parseOAuthConfig(base);
    expect(protectedResourceMetadata(shared, ["files", "db"])).toMatchObject({ resource: "https://gw.example.com/mcp", authorization_servers: ["https://idp.example.com"], scopes_supported: ["portcullis:server:files", "portcullis:server:db"] });
    expect(protectedResourceMetadata(shared, ["files", "db"], "db")).toMatchObject({ resource: "https://gw.example.com/mcp", scopes_supported: ["portcullis:server:db"] });
    const entra = parseOAuthConfig({ ...base, audience: ["6e74172b-be56-4843-9ff4-e66a39bb12e3"], resource: "https://gw.example.com" });
    expect(protectedResourceMetadata(entra, ["files"], "files").resource).toBe("https://gw.example.com/mcp/files");
    expect(() => parseOAuthConfig({ ...base, audience: "api://portcullis" })).toThrow(/resource: set the gateway's public URL/);
    const own = parseOAuthConfig({ ...base, per_server_resource: true });
    expect(protectedResourceMetadata(own, ["files"], "files").resource).toBe("https://gw.example.com/mcp/files");
  });
  it("the handler only answers its own paths", () => {
    const h = createProtectedResourceHandler(parseOAuthConfig(base), ["files"]);
    const res = { writeHead: () => res, end: () => res } as never;
    const req = { method: "GET" } as never;
    expect(h(req, res, new URL("http://g/.well-known/oauth-protected-resource/mcp/files"))).toBe(true);
    expect(h(req, res, new URL("http://g/.well-known/oauth-protected-resource/mcp/other"))).toBe(false);
    expect(h(req, res, new URL("http://g/.well-known/oauth-protected-resourcex"))).toBe(false);
  });
});

describe("composeAuthenticators", () => {
  const calls: string[] = [];
  const apiKeys: Authenticator = async () => (calls.push("api"), { ok: false, status: 401, message: "bad key", challenge: 'Bearer realm="portcullis", error="invalid_token"' });
  const oauth: Authenticator = async () => (calls.push("oauth"), { ok: false, status: 401, message: "no", challenge: 'Bearer resource_metadata="x"' });
  const cfg = parseOAuthConfig(base);
  const both = composeAuthenticators(apiKeys, { authenticate: oauth, cfg });
  it("routes pcl_ tokens to API keys and everything else (and no token) to OAuth", async () => {
    await both({ headers: { authorization: "Bearer pcl_abc" } }, "files");
    await both({ headers: { authorization: "Bearer eyJ.x.y" } }, "files");
    const missing = await both({ headers: {} }, "files");
    expect(calls).toEqual(["api", "oauth", "oauth"]);
    expect(missing).toMatchObject({ status: 401, message: expect.stringMatching(/OAuth access token .* or a Portcullis API key/) });
  });
  it("adds resource_metadata to an API key's 401 challenge", async () => {
    const r = await both({ headers: { authorization: "Bearer pcl_abc" } }, "files");
    expect(r).toMatchObject({ ok: false, challenge: 'Bearer realm="portcullis", error="invalid_token", resource_metadata="https://gw.example.com/.well-known/oauth-protected-resource/mcp/files"' });
  });
  it("with one side only, is that side", () => {
    expect(composeAuthenticators(apiKeys)).toBe(apiKeys);
    expect(() => composeAuthenticators()).toThrow();
  });
});

describe("discovery and an unreachable IdP fail closed", () => {
  it("metadata URLs: OIDC, then RFC 8414 path-inserted", () => {
    expect(metadataUrls("https://idp.example.com/realms/corp")).toEqual([
      "https://idp.example.com/realms/corp/.well-known/openid-configuration",
      "https://idp.example.com/.well-known/oauth-authorization-server/realms/corp",
      "https://idp.example.com/.well-known/openid-configuration/realms/corp",
    ]);
  });
  it("refuses metadata naming another issuer (mix-up)", async () => {
    const m = new MetadataCache("https://idp.example.com", 60, async () => Response.json({ issuer: "https://evil.example.com", jwks_uri: "https://evil.example.com/jwks" }));
    await expect(m.get()).rejects.toThrow(/names issuer https:\/\/evil.example.com/);
  });
  it("a JWT cannot be checked while the IdP is down: OAuthUnavailableError (the gateway answers 503), never a pass", async () => {
    const down = async () => {
      throw new TypeError("fetch failed");
    };
    const token = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ4In0.c2ln";
    await expect(new TokenVerifier(parseOAuthConfig(base), { fetch: down }).verify(token, "files")).rejects.toThrow(OAuthUnavailableError);
    await expect(new TokenVerifier(parseOAuthConfig({ ...base, jwks_uri: "https://idp.example.com/jwks" }), { fetch: down }).verify(token, "files")).rejects.toThrow(OAuthUnavailableError);
    const auth = createOAuthAuthenticator(new TokenVerifier(parseOAuthConfig(base), { fetch: down }));
    await expect(auth({ headers: { authorization: `Bearer ${token}` } }, "files")).rejects.toThrow(OAuthUnavailableError);
  });
});

describe("RFC 7662 introspection of opaque tokens (real oidc-provider)", () => {
  let idp: TestIdp;
  const aud = "https://gw.test/mcp";
  beforeAll(async () => {
    idp = await TestIdp.start({ resources: (r) => r.startsWith("https://gw.test/") || r === "https://other.test/api", format: () => "opaque" });
  });
  afterAll(async () => idp?.close());

  it("accepts an active token for this audience, caches the answer, and refuses other audiences and unknown tokens", async () => {
    let introspections = 0;
    const counting = async (input: string | URL, init?: RequestInit) => {
      if (String(input).endsWith("/token/introspection")) introspections++;
      return fetch(input, init);
    };
    const cfg = parseOAuthConfig({ issuer: idp.issuer, audience: aud, introspection: { client_id: "gateway", client_secret_env: "GW_SECRET", cache_s: 60 } }, { GW_SECRET: "gateway-secret-0123456789" });
    const v = new TokenVerifier(cfg, { fetch: counting });
    const token = await idp.clientCredentials(aud);
    expect(token.split(".").length).toBe(1);
    const ok = await v.verify(token, "everything");
    expect(ok).toMatchObject({ ok: true, principal: { kind: "oauth", scopes: ["server:everything"] } });
    expect(await v.verify(token, "everything")).toMatchObject({ ok: true });
    expect(introspections).toBe(1);
    expect(await v.verify(await idp.clientCredentials("https://other.test/api"), "everything")).toMatchObject({ ok: false, description: expect.stringMatching(/audience/) });
    expect(await v.verify("not-a-token-the-idp-issued", "everything")).toEqual({ ok: false, description: "the token is not active" });
    expect(await v.verify("not-a-token-the-idp-issued", "everything")).toEqual({ ok: false, description: "the token is not active" });
    expect(introspections).toBe(3);
  });
});
