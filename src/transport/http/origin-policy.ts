import type { IncomingMessage } from "node:http";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export interface OriginPolicy {
  /** Extra allowed browser origins, e.g. "https://app.example.com". */
  allowedOrigins: readonly string[];
  /** Bound to loopback: only loopback Host headers and origins are accepted (DNS-rebinding defence). */
  loopbackOnly: boolean;
}

/**
 * DNS-rebinding and cross-site defence (MCP Streamable HTTP security warning): a browser page must
 * not drive a local gateway. Requests without Origin (non-browser clients) pass the origin check;
 * on loopback, the Host header must name loopback too.
 */
export function checkOrigin(req: IncomingMessage, policy: OriginPolicy): string | undefined {
  if (policy.loopbackOnly) {
    const host = hostnameOf(req.headers.host);
    if (host !== undefined && !LOOPBACK_HOSTS.has(host)) return `Host "${req.headers.host}" is not a loopback name; this gateway is bound to loopback`;
  }
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  if (policy.allowedOrigins.includes(origin)) return undefined;
  if (policy.loopbackOnly) {
    try {
      const u = new URL(origin);
      if (LOOPBACK_HOSTS.has(u.hostname)) return undefined;
    } catch {
      return `Origin "${origin}" is not a valid origin`;
    }
  }
  return `Origin "${origin}" is not allowed (add it to serve.allowed_origins)`;
}

function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  return host.split(":")[0];
}
