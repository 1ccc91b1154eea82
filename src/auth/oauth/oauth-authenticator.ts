import type { IncomingHttpHeaders } from "node:http";
import type { Principal } from "../../pipeline/session-state.js";
import { scopeAllows } from "../scopes.js";
import type { OAuthConfig } from "./oauth-config.js";
import { resourceMetadataUrl } from "./protected-resource.js";
import { scopeHintFor } from "./scope-mapping.js";
import type { TokenVerifier } from "./verify-token.js";

/** Structurally the gateway's AuthResult (src/transport/http/gateway.ts). */
export type OAuthAuthResult = { ok: true; principal: Principal } | { ok: false; status: 401 | 403; message: string; challenge?: string };
export type Authenticator = (req: { headers: IncomingHttpHeaders }, server: string) => Promise<OAuthAuthResult>;

const q = (s: string) => `"${s.replace(/["\\]/g, "")}"`;

/** `Authorization: Bearer <token>` -> the token; undefined when absent; "" when the header is not a bearer header. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(h);
  return m ? m[1]! : "";
}

/** The RFC 6750 / RFC 9728 challenge for a 401: where to find the metadata, and what went wrong. */
export function unauthorizedChallenge(cfg: Pick<OAuthConfig, "resource">, server: string, error?: { code: string; description: string }): string {
  const parts = [`Bearer resource_metadata=${q(resourceMetadataUrl(cfg, server))}`];
  if (error) parts.push(`error=${q(error.code)}`, `error_description=${q(error.description)}`);
  return parts.join(", ");
}

/**
 * The `authenticate` hook for OAuth access tokens (docs/oauth.md). No token: 401 with
 * `WWW-Authenticate: Bearer resource_metadata="<gateway>/.well-known/oauth-protected-resource/mcp/<server>"`
 * (MCP clients discover the authorization server from there). Invalid token: 401 with
 * `error="invalid_token"`. Valid token whose scopes do not reach the server: 403 with
 * `error="insufficient_scope", scope="<what to ask for>"`. The IdP unreachable: rejects, and the
 * gateway answers 503 (fail closed). The token itself is never kept or forwarded upstream.
 */
export function createOAuthAuthenticator(verifier: TokenVerifier): Authenticator {
  const cfg = verifier.cfg;
  return async (req, server) => {
    const token = bearerToken(req.headers);
    if (token === undefined) {
      return { ok: false, status: 401, message: `This endpoint needs an OAuth access token from ${cfg.issuer} (Authorization: Bearer ...); see ${resourceMetadataUrl(cfg, server)}.`, challenge: unauthorizedChallenge(cfg, server) };
    }
    if (token === "") {
      return { ok: false, status: 401, message: "The Authorization header is not `Bearer <token>`.", challenge: unauthorizedChallenge(cfg, server, { code: "invalid_request", description: "malformed Authorization header" }) };
    }
    const v = await verifier.verify(token, server);
    if (!v.ok) {
      return { ok: false, status: 401, message: `The access token was refused: ${v.description}.`, challenge: unauthorizedChallenge(cfg, server, { code: "invalid_token", description: v.description }) };
    }
    if (!scopeAllows(v.principal.scopes, { server })) {
      const need = scopeHintFor(server, cfg);
      return {
        ok: false, status: 403,
        message: `The access token (${v.principal.id}) has no scope for server "${server}"; request scope ${need}.`,
        challenge: `Bearer error="insufficient_scope", scope=${q(need)}, resource_metadata=${q(resourceMetadataUrl(cfg, server))}, error_description=${q(`no scope for server ${server}`)}`,
      };
    }
    return { ok: true, principal: v.principal };
  };
}

/**
 * API keys and OAuth together: a `pcl_` token goes to the API-key authenticator, anything else to
 * OAuth (or to API keys when OAuth is off, which refuses it as malformed). With OAuth on, every 401
 * challenge carries `resource_metadata`, so an MCP client can start its OAuth flow whichever
 * credential it lacked. At least one authenticator is required.
 */
export function composeAuthenticators(apiKeys?: Authenticator, oauth?: { authenticate: Authenticator; cfg: Pick<OAuthConfig, "resource" | "issuer"> }): Authenticator {
  if (!apiKeys && !oauth) throw new Error("composeAuthenticators needs API keys, OAuth, or both");
  if (!oauth) return apiKeys!;
  if (!apiKeys) return oauth.authenticate;
  return async (req, server) => {
    const token = bearerToken(req.headers);
    if (token === undefined) {
      const r = await oauth.authenticate(req, server);
      return r.ok ? r : { ...r, message: `This endpoint needs a bearer token: an OAuth access token from ${oauth.cfg.issuer} or a Portcullis API key (pcl_...).` };
    }
    if (!token.startsWith("pcl_")) return oauth.authenticate(req, server);
    const r = await apiKeys(req, server);
    if (r.ok || r.status !== 401) return r;
    return { ...r, challenge: `${r.challenge ?? 'Bearer realm="portcullis"'}, resource_metadata=${q(resourceMetadataUrl(oauth.cfg, server))}` };
  };
}
