import { serveMetricsSchema } from "./metrics-config.js";

export { serveMetricsSchema };
import type { AuditLog } from "../audit/audit-record.js";
import { ConfigError, UsageError } from "../errors/portcullis-error.js";
import type { GatewayHandler } from "../transport/http/gateway.js";
import { GatewayMetrics } from "./gateway-metrics.js";
import { MetricsAuditLog } from "./metrics-audit-log.js";
import { metricsHandler } from "./metrics-handler.js";


export interface ServeMetrics {
  metrics: GatewayMetrics;
  /** The audit log to hand the gateway: the real one, counted. */
  audit: AuditLog;
  /** Mount first: counts requests and answers GET /metrics. */
  handler: GatewayHandler;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Metrics for `portcullis serve`, or undefined when `serve.metrics` is absent or off. `serve` is the raw
 * `serve:` section (read defensively: any shape). Off loopback a token is required, since the metrics
 * name servers, layers and error rates.
 */
export function serveMetrics(serve: unknown, audit: AuditLog, opts: { host: string; env: NodeJS.ProcessEnv; servers: Iterable<string> }): ServeMetrics | undefined {
  const raw = typeof serve === "object" && serve !== null ? (serve as Record<string, unknown>).metrics : undefined;
  const parsed = serveMetricsSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`serve.metrics: ${parsed.error.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; ")} (expected true or { enabled, token_env })`);
  const v = parsed.data;
  if (v === undefined || v === false || (typeof v === "object" && v.enabled === false)) return undefined;
  let token: string | undefined;
  if (typeof v === "object" && v.token_env !== undefined) {
    token = opts.env[v.token_env];
    if (!token) throw new ConfigError(`serve.metrics.token_env: environment variable ${v.token_env} is not set (or empty).`);
  }
  if (token === undefined && !LOOPBACK.has(opts.host)) {
    throw new UsageError(`refusing to serve /metrics on ${opts.host} without a token: set \`serve: { metrics: { token_env: VAR } }\` or listen on 127.0.0.1.`);
  }
  const metrics = new GatewayMetrics({ servers: opts.servers });
  const counted = new MetricsAuditLog(audit, metrics);
  return { metrics, audit: counted, handler: metricsHandler(metrics, { audit: counted, token }) };
}
