import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { ClientCredentialsProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/auth/api-keys.js";
import { createBearerAuthenticator } from "../../src/auth/bearer-authenticator.js";
import { createServeAuth, parseOAuthConfig, TokenVerifier, type OAuthConfig } from "../../src/auth/oauth/index.js";
import { createApprovalPage } from "../../src/approvals/approval-page.js";
import { ApprovalStore } from "../../src/approvals/approval-store.js";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { startGateway, type Gateway } from "../../src/transport/http/gateway.js";
import { driveAuthorization, makeKey, TestIdp } from "../auth/oauth/idp.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { BIN, EVERYTHING } from "../helpers/wrap-harness.js";

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, "io.modelcontextprotocol/clientCapabilities": {} };

/** Authorization code + PKCE client for the SDK: in-memory storage, the "browser" is driveAuthorization. */
class CodeFlowProvider implements OAuthClientProvider {
  info?: OAuthClientInformationMixed;
  saved?: OAuthTokens;
  verifier?: string;
  authorizationUrl?: URL;
  readonly redirectUrl = "http://127.0.0.1:9/callback";
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: "code-flow-test", redirect_uris: [this.redirectUrl], grant_types: ["authorization_code", "refresh_token"], response_types: ["code"], token_endpoint_auth_method: "none" };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(t: OAuthTokens) {
    this.saved = t;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier!;
  }
}

describe("serve as an OAuth 2.1 resource server (real oidc-provider on loopback)", () => {
  let idp: TestIdp;
  let gw: Gateway;
  let base = "";
  let store: SqliteStore;
  const audit = new MemoryAudit();

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await TestIdp.start({ resources: (r) => r.startsWith(base) || r === "https://other.example/api" });
    const oauth = parseOAuthConfig({ issuer: idp.issuer, audience: `${base}/mcp`, clock_skew_s: 5, jwks_refetch_cooldown_s: 1 });
    store = new SqliteStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pcl-oauth-")), "state.db"));
    const serveAuth = createServeAuth({ apiKeys: createBearerAuthenticator(store), oauth, servers: ["everything"] })!;
    const server = resolveServerPolicy("everything", { command: EVERYTHING, trust: "medium" }, undefined, process.cwd());
    gw = await startGateway({
      routes: new Map([["everything", { server, pipeline: new Pipeline(defaultLayers(server, { stateDir: tmpStateDir(), store, authenticated: true })) }]]),
      audit, host: "127.0.0.1", port, log: () => {}, authenticate: serveAuth.authenticate,
      handlers: [...serveAuth.handlers, createApprovalPage({ approvals: new ApprovalStore(store), keys: store, audit, secret: Buffer.alloc(32, 3), verifyBearer: oauthVerifyBearer(oauth) })],
    });
  });
  afterAll(async () => {
    await gw?.close();
    await store?.close();
    await idp?.close();
  });

  it("approval rights from token scopes: portcullis:approvals opens the approval API, a server scope does not", async () => {
    const admin = await idp.clientCredentials(`${base}/mcp`, "portcullis:approvals");
    const plain = await idp.clientCredentials(`${base}/mcp`, "portcullis:server:everything");
    const pending = (t: string) => fetch(`${base}/approvals/api/pending`, { headers: { authorization: `Bearer ${t}` } });
    const ok = await pending(admin);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ pending: [] });
    expect((await pending(plain)).status).toBe(401);
    expect((await pending("not-a-token")).status).toBe(401);
  });

  const echo = (token: string | undefined, n = 1) =>
    fetch(`${base}/mcp/everything`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "echo", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ jsonrpc: "2.0", id: n, method: "tools/call", params: { name: "echo", arguments: { message: `m${n}` }, _meta: meta } }),
    });
  const prmOf = () => `${base}/.well-known/oauth-protected-resource/mcp/everything`;
  const forge = (claims: JWTPayload, key = idp.keys[0]!, header: Record<string, unknown> = {}) =>
    new SignJWT({ sub: "mallory", client_id: "machine", scope: "portcullis:server:everything", ...claims })
      .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "at+jwt", ...header })
      .sign(key.privateKey);
  const now = () => Math.floor(Date.now() / 1000);

  it("serves RFC 9728 metadata at the root and path-suffixed locations", async () => {
    for (const url of [`${base}/.well-known/oauth-protected-resource`, prmOf()]) {
      const r = await fetch(url);
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ resource: `${base}/mcp`, authorization_servers: [idp.issuer], bearer_methods_supported: ["header"], scopes_supported: ["portcullis:server:everything"] });
    }
    expect((await fetch(`${base}/.well-known/oauth-protected-resource/mcp/nope`)).status).toBe(404);
  });

  it("401 without a token points at the metadata (WWW-Authenticate resource_metadata)", async () => {
    const r = await echo(undefined);
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${prmOf()}"`);
    expect((await r.json()).error.data.portcullis.code).toBe("UNAUTHORIZED");
  });

  it("accepts a client-credentials JWT for the gateway audience, and for the endpoint's own resource URI", async () => {
    const token = await idp.clientCredentials(`${base}/mcp`);
    expect(decodeJwt(token)).toMatchObject({ aud: `${base}/mcp`, iss: idp.issuer });
    const r = await echo(token);
    expect(r.status).toBe(200);
    expect(JSON.stringify(await r.json())).toContain("Echo: m1");
    expect((await echo(await idp.clientCredentials(`${base}/mcp/everything`), 2)).status).toBe(200);
  });

  const rejected = async (token: string, description: RegExp) => {
    const r = await echo(token);
    expect(r.status).toBe(401);
    const h = r.headers.get("www-authenticate")!;
    expect(h).toContain(`Bearer resource_metadata="${prmOf()}"`);
    expect(h).toContain('error="invalid_token"');
    expect(h).toMatch(description);
  };

  it("rejects a real token for another audience, and one for another endpoint of this gateway", async () => {
    await rejected(await idp.clientCredentials("https://other.example/api"), /audience/);
    await rejected(await idp.clientCredentials(`${base}/mcp/other`), /audience/);
  });

  it("rejects expired, not-yet-valid, wrong-issuer and exp-less tokens signed with the IdP's own key", async () => {
    await rejected(await forge({ iss: idp.issuer, aud: `${base}/mcp`, exp: now() - 60, iat: now() - 120 }), /expired/);
    await rejected(await forge({ iss: idp.issuer, aud: `${base}/mcp`, exp: now() + 600, nbf: now() + 300 }), /not yet valid/);
    await rejected(await forge({ iss: "https://evil.example", aud: `${base}/mcp`, exp: now() + 60 }), /another issuer/);
    await rejected(await forge({ iss: idp.issuer, aud: `${base}/mcp` }), /exp/);
    // within the configured clock skew (5 s): still accepted
    expect((await echo(await forge({ iss: idp.issuer, aud: `${base}/mcp`, exp: now() - 2 }))).status).toBe(200);
  });

  it("rejects a tampered signature, alg none, an HS256 token and an unknown key", async () => {
    const real = await idp.clientCredentials(`${base}/mcp`);
    const [h, p, s] = real.split(".");
    const payload = { ...decodeJwt(real), scope: "portcullis:*", sub: "admin" };
    await rejected(`${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`, /signature/);
    const none = Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt" })).toString("base64url");
    await rejected(`${none}.${p}.`, /algorithm/);
    const hs = await new SignJWT(decodeJwt(real)).setProtectedHeader({ alg: "HS256", kid: decodeProtectedHeader(real).kid! }).sign(new TextEncoder().encode("x".repeat(32)));
    await rejected(hs, /algorithm/);
    await rejected(await forge({ iss: idp.issuer, aud: `${base}/mcp`, exp: now() + 60 }, await makeKey("stranger")), /unknown key/);
    await rejected("opaque-token-without-introspection", /not a JWT/);
  });

  it("403 insufficient_scope names the scope to ask for", async () => {
    const token = await idp.clientCredentials(`${base}/mcp`, "portcullis:server:other", "unscoped", "unscoped-secret-0123456789");
    const r = await echo(token);
    expect(r.status).toBe(403);
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_scope", scope="portcullis:server:everything", resource_metadata="[^"]+\/mcp\/everything"/);
    expect((await r.json()).error.data.portcullis.code).toBe("FORBIDDEN");
  });

  it("API keys keep working beside OAuth; a bad key's challenge also carries resource_metadata", async () => {
    const { key } = await createApiKey(store, { name: "ci", scopes: ["server:everything"] });
    expect((await echo(key)).status).toBe(200);
    const r = await echo(`pcl_000000000000_${"A".repeat(43)}`);
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer realm="portcullis", error="invalid_token".*, resource_metadata="/);
  });

  it("the SDK client (client credentials) discovers the metadata on its own and connects", async () => {
    // The SDK's client-credentials provider sends its configured scope (it does not use the discovered
    // scopes_supported); the authorization server, token endpoint and resource it discovers itself.
    const provider = new ClientCredentialsProvider({ clientId: "machine", clientSecret: "machine-secret-0123456789", expectedIssuer: idp.issuer, scope: "portcullis:server:everything" });
    const c = new Client({ name: "m2m", version: "1" });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp/everything`), { authProvider: provider }));
    try {
      expect((await c.callTool({ name: "echo", arguments: { message: "cc" } })).content).toEqual([{ type: "text", text: "Echo: cc" }]);
      expect(decodeJwt(provider.tokens()!.access_token)).toMatchObject({ aud: `${base}/mcp`, scope: "portcullis:server:everything" });
    } finally {
      await c.close();
    }
  });

  it("the SDK client's authorization code + PKCE flow (dynamic registration, resource indicator) connects end to end", async () => {
    const provider = new CodeFlowProvider();
    const url = new URL(`${base}/mcp/everything`);
    const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await expect(new Client({ name: "code", version: "1" }).connect(first)).rejects.toThrow(/Unauthorized/i);
    const auth = provider.authorizationUrl!;
    expect(auth.searchParams.get("code_challenge_method")).toBe("S256");
    expect(auth.searchParams.get("resource")).toBe(`${base}/mcp`);
    await first.finishAuth(await driveAuthorization(auth, provider.redirectUrl));
    const claims = decodeJwt(provider.tokens()!.access_token);
    expect(claims).toMatchObject({ sub: "alice", aud: `${base}/mcp`, client_id: provider.info!.client_id });
    const c = new Client({ name: "code", version: "1" });
    await c.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }));
    try {
      expect((await c.callTool({ name: "echo", arguments: { message: "pkce" } })).content).toEqual([{ type: "text", text: "Echo: pkce" }]);
    } finally {
      await c.close();
    }
    // The audit names the caller by a hash, never by sub or client id.
    const callers = audit.entries.map((e) => e.caller).filter((x): x is string => typeof x === "string" && x.startsWith("oauth:"));
    expect(callers.some((x) => /^oauth:u_[0-9a-f]{16}\.c_[0-9a-f]{8}$/.test(x))).toBe(true);
    expect(JSON.stringify(audit.entries)).not.toContain("alice");
  });

  it("key rotation: a token signed by a new key is accepted after one JWKS refetch; unknown kids are rate-limited", async () => {
    expect((await echo(await idp.clientCredentials(`${base}/mcp`))).status).toBe(200);
    const bogus: string[] = [];
    for (let i = 0; i < 5; i++) bogus.push(await forge({ iss: idp.issuer, aud: `${base}/mcp`, exp: now() + 60 }, await makeKey(`bogus-${i}`)));
    await new Promise((r) => setTimeout(r, 1100)); // past the 1 s refetch cooldown
    const before = idp.jwksFetches;
    await idp.rotate("key-2");
    const rotated = await idp.clientCredentials(`${base}/mcp`);
    expect(decodeProtectedHeader(rotated).kid).toBe("key-2");
    expect((await echo(rotated)).status).toBe(200);
    expect(idp.jwksFetches).toBe(before + 1);
    // A burst of unknown kids within the cooldown does not reach the IdP.
    for (const t of bogus) await rejected(t, /unknown key/);
    expect(idp.jwksFetches).toBe(before + 1);
    // Tokens signed by the previous key stay valid while it is still published.
    expect((await echo(await forge({ iss: idp.issuer, aud: `${base}/mcp`, exp: now() + 60 }, idp.keys[1]!))).status).toBe(200);
  });
});

describe("portcullis serve with auth.oauth (the CLI)", () => {
  const run = (dir: string, args: string[]) => {
    const child = spawn(process.execPath, [BIN, "serve", "-c", path.join(dir, "portcullis.yaml"), ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    return { child, output: () => out, exit: new Promise<number | null>((r) => child.on("exit", (code) => r(code))) };
  };
  const write = (yaml: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pcl-oauth-cli-"));
    fs.writeFileSync(path.join(dir, "portcullis.yaml"), yaml);
    return dir;
  };
  const servers = `servers:\n  everything:\n    command: ${JSON.stringify(EVERYTHING)}\n`;

  it("an invalid auth.oauth is a config error (exit 2) naming the key", async () => {
    const p = run(write(`auth:\n  oauth:\n    issuer: https://idp.example.com\n    audience: https://gw.example.com/mcp\n    algorithms: [HS256]\n${servers}`), ["--port", "0"]);
    expect(await p.exit).toBe(2);
    expect(p.output()).toContain("auth.oauth.algorithms");
  });

  it("serves the metadata and challenges callers", async () => {
    const p = run(write(`auth:\n  oauth:\n    issuer: https://idp.example.com\n    audience: https://gw.example.com/mcp\n${servers}`), ["--port", "0"]);
    try {
      const deadline = Date.now() + 15_000;
      while (!/auth: OAuth 2\.1/.test(p.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const url = /listening on (http:\/\/\S+)/.exec(p.output())?.[1];
      expect(url, p.output()).toBeDefined();
      expect(p.output()).toContain("auth: OAuth 2.1 (issuer https://idp.example.com, audience https://gw.example.com/mcp)");
      expect(await (await fetch(`${url}/.well-known/oauth-protected-resource/mcp/everything`)).json()).toMatchObject({ resource: "https://gw.example.com/mcp", authorization_servers: ["https://idp.example.com"] });
      const r = await fetch(`${url}/mcp/everything`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toBe('Bearer resource_metadata="https://gw.example.com/.well-known/oauth-protected-resource/mcp/everything"');
    } finally {
      p.child.kill("SIGTERM");
      await p.exit;
    }
  });
});

/** As `serve` wires it: the approval page accepts OAuth access tokens with admin scopes. */
function oauthVerifyBearer(oauth: OAuthConfig) {
  const v = new TokenVerifier(oauth);
  return async (t: string) => {
    const r = await v.verify(t, "");
    return r.ok ? r.principal : undefined;
  };
}
