import type { IncomingMessage, ServerResponse } from "node:http";
import type { OAuthConfig } from "./oauth-config.js";
import { composeAuthenticators, createOAuthAuthenticator, type Authenticator } from "./oauth-authenticator.js";
import { createProtectedResourceHandler } from "./protected-resource.js";
import { TokenVerifier, type VerifierDeps } from "./verify-token.js";

export { oauthConfigSchema, parseOAuthConfig, type OAuthConfig, type RawOAuthConfig } from "./oauth-config.js";
export { composeAuthenticators, createOAuthAuthenticator, bearerToken, type Authenticator, type OAuthAuthResult } from "./oauth-authenticator.js";
export { createProtectedResourceHandler, protectedResourceMetadata, resourceMetadataUrl } from "./protected-resource.js";
export { TokenVerifier, principalIdOf, type TokenResult } from "./verify-token.js";
export { OAuthUnavailableError } from "./oauth-errors.js";
export { mapScopes, oauthScopesOf } from "./scope-mapping.js";

export interface ServeAuth {
  authenticate: Authenticator;
  handlers: ((req: IncomingMessage, res: ServerResponse, url: URL) => boolean)[];
  /** One line for the startup banner. */
  summary: string;
  oauth?: OAuthConfig;
}

/**
 * What `serve` needs for `auth`: the composed authenticator (API keys and/or OAuth) and, with OAuth,
 * the RFC 9728 metadata handler. `oauth` is `auth.oauth` parsed with parseOAuthConfig (do that before
 * opening anything: it throws ConfigError). Returns undefined when neither is enabled.
 */
export function createServeAuth(opts: { apiKeys?: Authenticator; oauth?: OAuthConfig; servers: readonly string[]; deps?: VerifierDeps }): ServeAuth | undefined {
  const oauth = opts.oauth;
  if (!oauth) return opts.apiKeys ? { authenticate: opts.apiKeys, handlers: [], summary: "API keys (Authorization: Bearer pcl_...)" } : undefined;
  const authenticate = composeAuthenticators(opts.apiKeys, { authenticate: createOAuthAuthenticator(new TokenVerifier(oauth, opts.deps)), cfg: oauth });
  const summary = `OAuth 2.1 (issuer ${oauth.issuer}, audience ${oauth.audiences.join(" ")})${opts.apiKeys ? " + API keys" : ""}`;
  return { authenticate, handlers: [createProtectedResourceHandler(oauth, opts.servers)], summary, oauth };
}
