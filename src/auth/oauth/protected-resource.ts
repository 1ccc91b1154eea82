import type { IncomingMessage, ServerResponse } from "node:http";
import type { OAuthConfig } from "./oauth-config.js";
import { scopeHintFor } from "./scope-mapping.js";

export const PRM_PATH = "/.well-known/oauth-protected-resource";

/** The RFC 9728 metadata URL for an endpoint (path-suffixed: `/.well-known/oauth-protected-resource/mcp/<server>`). */
export function resourceMetadataUrl(cfg: Pick<OAuthConfig, "resource">, server?: string): string {
  return `${cfg.resource}${PRM_PATH}${server === undefined ? "" : `/mcp/${server}`}`;
}

/** The resource identifier advertised for an endpoint (the audience clients will request tokens for). */
export function advertisedResource(cfg: Pick<OAuthConfig, "resource" | "audiences" | "perServerResource">, server?: string): string {
  const shared = cfg.audiences.find((a) => /^https?:\/\//i.test(a));
  if (server !== undefined && (cfg.perServerResource || !shared)) return `${cfg.resource}/mcp/${server}`;
  return shared ?? cfg.resource;
}

/**
 * RFC 9728 protected-resource metadata: which authorization server issues tokens for this gateway
 * (or one of its endpoints), the resource to request them for (RFC 8707), how to present them, and
 * the scopes that grant access.
 */
export function protectedResourceMetadata(cfg: OAuthConfig, servers: readonly string[], server?: string): Record<string, unknown> {
  const scopes = [...new Set((server === undefined ? servers : [server]).map((s) => scopeHintFor(s, cfg)))];
  return {
    resource: advertisedResource(cfg, server),
    authorization_servers: [cfg.issuer],
    bearer_methods_supported: ["header"],
    scopes_supported: scopes,
    resource_name: server === undefined ? "Portcullis MCP gateway" : `Portcullis MCP gateway: ${server}`,
  };
}

/**
 * A GatewayHandler serving `/.well-known/oauth-protected-resource` (the whole gateway) and
 * `/.well-known/oauth-protected-resource/mcp/<server>` (one endpoint; MCP clients look there first).
 * Unauthenticated and cacheable; an unknown server falls through to the gateway's 404.
 */
export function createProtectedResourceHandler(cfg: OAuthConfig, servers: readonly string[]): (req: IncomingMessage, res: ServerResponse, url: URL) => boolean {
  const known = new Set(servers);
  return (req, res, url) => {
    if (url.pathname !== PRM_PATH && !url.pathname.startsWith(`${PRM_PATH}/`)) return false;
    let server: string | undefined;
    if (url.pathname !== PRM_PATH) {
      const m = /^\/mcp\/([A-Za-z0-9_-]+)\/?$/.exec(url.pathname.slice(PRM_PATH.length));
      if (!m || !known.has(m[1]!)) return false;
      server = m[1]!;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return true;
    }
    const body = JSON.stringify(protectedResourceMetadata(cfg, servers, server));
    res.writeHead(200, { "content-type": "application/json", "cache-control": "public, max-age=300", "access-control-allow-origin": "*" });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
