import type { AuditEntry, AuditLog } from "../audit/audit-record.js";
import type { SupervisorEvent, UpstreamHealth } from "../transport/upstream-supervisor.js";
import { Registry, type Counter, type Gauge, type Histogram } from "./prometheus.js";

/** What the metrics need of the gateway's upstream supervisors (`Gateway.upstreams`). */
export interface UpstreamHealthSource {
  onEvent(listener: (server: string, event: SupervisorEvent, health: UpstreamHealth) => void): void;
  health(): UpstreamHealth[];
}

/** Seconds; covers a sub-millisecond local echo up to the default 30 s timeout. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const HTTP_METHODS = new Set(["GET", "POST", "DELETE", "HEAD", "OPTIONS", "PUT", "PATCH"]);

/**
 * The gateway's Prometheus metrics. Everything the relay decides reaches the audit log, so the
 * decision metrics are derived from audit entries (see MetricsAuditLog) and the relay is not touched.
 * Labels are bounded: event names, decisions, layers and codes come from the code; server names from
 * the config. Tool names, callers and sessions are deliberately not labels (unbounded, and partly
 * chosen by the upstream or the client).
 */
export class GatewayMetrics {
  readonly registry: Registry;
  readonly events: Counter;
  readonly toolCallSeconds: Histogram;
  readonly toolCallErrors: Counter;
  readonly upstreamExits: Counter;
  readonly upstreamTimeouts: Counter;
  readonly upstreamFailedRequests: Counter;
  readonly upstreamMalformed: Counter;
  readonly upstreamLastExit: Gauge;
  readonly upstreamUp: Gauge;
  readonly upstreamRestarts: Counter;
  readonly httpRequests: Counter;
  readonly httpSeconds: Histogram;
  readonly auditHealthy: Gauge;
  private readonly servers: ReadonlySet<string>;

  constructor(opts: { servers?: Iterable<string>; maxSeries?: number } = {}) {
    this.servers = new Set(opts.servers ?? []);
    const r = (this.registry = new Registry(opts.maxSeries));
    this.events = r.counter("portcullis_audit_events_total", "Audited events (every decision the gateway makes) by event, decision, layer, code and server.", ["event", "decision", "layer", "code", "server"]);
    this.toolCallSeconds = r.histogram("portcullis_tool_call_duration_seconds", "Upstream round trip of forwarded tools/call requests (audit latency_ms; needs audit.all_calls).", ["server"], LATENCY_BUCKETS);
    this.toolCallErrors = r.counter("portcullis_tool_call_errors_total", "Forwarded tools/call requests whose result was an error (isError or a JSON-RPC error).", ["server"]);
    this.upstreamExits = r.counter("portcullis_upstream_exits_total", "Upstream server processes that exited or failed unexpectedly.", ["server"]);
    this.upstreamTimeouts = r.counter("portcullis_upstream_timeouts_total", "Requests the upstream did not answer within timeout_s.", ["server"]);
    this.upstreamFailedRequests = r.counter("portcullis_upstream_failed_requests_total", "Pending requests answered with an error because the upstream went away.", ["server"]);
    this.upstreamMalformed = r.counter("portcullis_upstream_malformed_total", "Upstream messages dropped as malformed or answering no pending request.", ["server"]);
    this.upstreamLastExit = r.gauge("portcullis_upstream_last_exit_timestamp_seconds", "Unix time of the last unexpected upstream exit.", ["server"]);
    this.upstreamUp = r.gauge("portcullis_upstream_up", "1 when the server's stdio upstreams are healthy (not in crash backoff, and the last one to start or end did not fail); 0 otherwise. Present once the server was started.", ["server"]);
    this.upstreamRestarts = r.counter("portcullis_upstream_restarts_total", "Starts of a server's stdio upstream after a crash (the first start after each crash, any endpoint or era).", ["server"]);
    this.httpRequests = r.counter("portcullis_http_requests_total", "HTTP requests that passed the Origin/Host check, by route, server, method and status (aborted = closed before the response ended).", ["route", "server", "method", "status"]);
    this.httpSeconds = r.histogram("portcullis_http_request_duration_seconds", "Time from request to response end (for SSE GET streams: the stream's lifetime).", ["route", "method"], LATENCY_BUCKETS);
    this.auditHealthy = r.gauge("portcullis_audit_healthy", "1 while the audit log is writable; 0 means the gateway is failing closed.");
    const dropped = r.gauge("portcullis_metrics_series_dropped", "Label sets not recorded because a metric reached its series limit.");
    dropped.collect = (g) => g.set([], r.dropped);
  }

  /** Counts one audit entry. Hot path: five Map lookups (one per label), plus one histogram lookup for tool calls. */
  observe(e: AuditEntry): void {
    const server = e.server ?? "";
    this.events.inc([e.event, e.decision ?? "", e.layer ?? "", e.code ?? "", server]);
    switch (e.event) {
      case "tool_call":
        if (typeof e.latency_ms === "number") this.toolCallSeconds.observe([server], e.latency_ms / 1000);
        if (e.ok === false) this.toolCallErrors.inc([server]);
        return;
      case "upstream_exit":
        this.upstreamExits.inc([server]);
        this.upstreamLastExit.set([server], Date.now() / 1000);
        return;
      case "upstream_timeout":
        this.upstreamTimeouts.inc([server]);
        return;
      case "upstream_error":
        this.upstreamFailedRequests.inc([server]);
        return;
      case "upstream_malformed":
      case "unsolicited_response":
        this.upstreamMalformed.inc([server]);
        return;
    }
  }

  /**
   * Upstream health from the supervisors' state (not from audit lines): the restart counter follows
   * their events, the `up` gauge is refreshed from their state at every scrape (a backoff that simply
   * expired changes no event). Servers appear after their first start; a pruned server keeps its last value.
   */
  watchUpstreams(source: UpstreamHealthSource): void {
    const seen = new Set<string>();
    source.onEvent((server, event, health) => {
      if (!seen.has(server)) {
        seen.add(server);
        this.upstreamRestarts.inc([server], 0);
      }
      if (event === "restart") this.upstreamRestarts.inc([server]);
      this.upstreamUp.set([server], health.healthy ? 1 : 0);
    });
    this.upstreamUp.collect = (g) => {
      for (const h of source.health()) if (seen.has(h.server)) g.set([h.server], h.healthy ? 1 : 0);
    };
  }

  /** Counts one finished HTTP request. `pathname` is mapped to a bounded route label. */
  observeHttp(method: string | undefined, pathname: string, status: string, seconds: number): void {
    const m = method && HTTP_METHODS.has(method) ? method : "other";
    let route: string;
    let server = "";
    if (pathname.startsWith("/mcp/")) {
      route = "mcp";
      const name = pathname.slice(5).replace(/\/$/, "");
      if (this.servers.has(name)) server = name;
    } else if (pathname === "/metrics") route = "metrics";
    else if (pathname === "/ready") route = "ready";
    else route = "other";
    this.httpRequests.inc([route, server, m, status]);
    this.httpSeconds.observe([route, m], seconds);
  }

  /** The exposition text; `audit` (when given) sets portcullis_audit_healthy. */
  render(audit?: Pick<AuditLog, "healthy">): string {
    if (audit) this.auditHealthy.set([], audit.healthy ? 1 : 0);
    return this.registry.render();
  }
}
