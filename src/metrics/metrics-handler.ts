import { createHash, timingSafeEqual } from "node:crypto";
import type { AuditLog } from "../audit/audit-record.js";
import type { GatewayHandler } from "../transport/http/gateway.js";
import { replyError } from "../transport/http/http-reply.js";
import type { GatewayMetrics } from "./gateway-metrics.js";
import { CONTENT_TYPE } from "./prometheus.js";

export interface MetricsHandlerOptions {
  /** The audit log: its health is exported, and refused scrapes are audited. */
  audit?: AuditLog;
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`. */
  token?: string;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * A GatewayHandler that (1) counts every request it sees (the gateway runs handlers after the
 * Origin/Host check, before MCP routing) and (2) answers `GET /metrics` in the Prometheus text format.
 * Mount it first so it sees the requests other handlers answer too.
 */
export function metricsHandler(metrics: GatewayMetrics, opts: MetricsHandlerOptions = {}): GatewayHandler {
  const expected = opts.token !== undefined ? digest(opts.token) : undefined;
  return (req, res, url) => {
    const start = performance.now();
    const path = url.pathname;
    res.once("close", () => metrics.observeHttp(req.method, path, res.writableFinished ? String(res.statusCode) : "aborted", (performance.now() - start) / 1000));
    if (path !== "/metrics") return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      replyError(res, 405, "INVALID_REQUEST", `Method ${req.method} is not supported on /metrics; use GET.`, { allow: "GET, HEAD" });
      return true;
    }
    if (expected) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
      if (!m || !timingSafeEqual(digest(m[1]!), expected)) {
        opts.audit?.record({ event: "auth_failure", severity: "medium", decision: "deny", layer: "gateway", rule: "metrics-token", code: "UNAUTHORIZED", reason: m ? "wrong /metrics bearer token" : "missing /metrics bearer token" });
        replyError(res, 401, "UNAUTHORIZED", "Portcullis /metrics needs Authorization: Bearer <token> (serve.metrics.token_env).", { "www-authenticate": 'Bearer realm="portcullis-metrics"' });
        return true;
      }
    }
    const body = metrics.render(opts.audit);
    res.writeHead(200, { "content-type": CONTENT_TYPE, "cache-control": "no-store", "content-length": Buffer.byteLength(body) });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
