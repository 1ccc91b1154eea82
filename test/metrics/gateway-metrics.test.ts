import { describe, expect, it } from "vitest";
import { GatewayMetrics } from "../../src/metrics/gateway-metrics.js";
import { MetricsAuditLog } from "../../src/metrics/metrics-audit-log.js";
import type { AuditEntry, AuditLog } from "../../src/audit/audit-record.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { parseExposition, sample } from "./exposition.js";

const call = (latency_ms: number, ok = true): AuditEntry => ({ event: "tool_call", severity: "info", server: "files", method: "tools/call", tool: "read", decision: "allow", ok, latency_ms });

describe("GatewayMetrics from audit entries", () => {
  it("counts events by event/decision/layer/code/server and tool-call latency", () => {
    const m = new GatewayMetrics({ servers: ["files"] });
    const log = new MetricsAuditLog(new MemoryAudit(), m);
    log.record(call(0.4));
    log.record(call(12, false));
    log.record(call(1500));
    log.record({ event: "access_denied", severity: "medium", server: "files", decision: "deny", layer: "tool-policy", rule: "deny", code: "TOOL_DENIED" });
    log.record({ event: "access_denied", severity: "medium", server: "files", decision: "deny", layer: "tool-policy", rule: "deny", code: "TOOL_DENIED" });
    log.record({ event: "rate_limited", severity: "medium", server: "files", decision: "deny", layer: "rate-limit", code: "RATE_LIMITED" });
    log.record({ event: "upstream_exit", severity: "high", server: "files", decision: "deny", layer: "relay", code: "UPSTREAM_UNAVAILABLE" });
    log.record({ event: "upstream_error", severity: "high", server: "files", decision: "deny", layer: "relay", code: "UPSTREAM_UNAVAILABLE" });
    log.record({ event: "upstream_timeout", severity: "medium", server: "files", decision: "deny", layer: "timeout", code: "UPSTREAM_TIMEOUT" });
    log.record({ event: "unsolicited_response", severity: "medium", server: "files", decision: "deny", layer: "relay", code: "UPSTREAM_MALFORMED" });
    log.record({ event: "origin_rejected", severity: "medium", decision: "deny", layer: "gateway", code: "ORIGIN_REJECTED" });
    const { samples, types } = parseExposition(m.render(log));
    expect(types.get("portcullis_audit_events_total")).toBe("counter");
    expect(types.get("portcullis_tool_call_duration_seconds")).toBe("histogram");
    expect(sample(samples, "portcullis_audit_events_total", { event: "tool_call", decision: "allow", layer: "", code: "", server: "files" })).toBe(3);
    expect(sample(samples, "portcullis_audit_events_total", { event: "access_denied", layer: "tool-policy", code: "TOOL_DENIED" })).toBe(2);
    expect(sample(samples, "portcullis_audit_events_total", { event: "origin_rejected", server: "" })).toBe(1);
    expect(sample(samples, "portcullis_tool_call_duration_seconds_bucket", { server: "files", le: "0.0005" })).toBe(1);
    expect(sample(samples, "portcullis_tool_call_duration_seconds_bucket", { server: "files", le: "0.025" })).toBe(2);
    expect(sample(samples, "portcullis_tool_call_duration_seconds_bucket", { server: "files", le: "+Inf" })).toBe(3);
    expect(sample(samples, "portcullis_tool_call_duration_seconds_count", { server: "files" })).toBe(3);
    expect(sample(samples, "portcullis_tool_call_duration_seconds_sum", { server: "files" })).toBeCloseTo(1.5124, 6);
    expect(sample(samples, "portcullis_tool_call_errors_total", { server: "files" })).toBe(1);
    expect(sample(samples, "portcullis_upstream_exits_total", { server: "files" })).toBe(1);
    expect(sample(samples, "portcullis_upstream_failed_requests_total", { server: "files" })).toBe(1);
    expect(sample(samples, "portcullis_upstream_timeouts_total", { server: "files" })).toBe(1);
    expect(sample(samples, "portcullis_upstream_malformed_total", { server: "files" })).toBe(1);
    expect(sample(samples, "portcullis_upstream_last_exit_timestamp_seconds", { server: "files" })).toBeGreaterThan(1.7e9);
    expect(sample(samples, "portcullis_audit_healthy")).toBe(1);
  });

  it("forwards first, returns the inner id, mirrors health, and never throws for metrics", async () => {
    const inner = new MemoryAudit();
    const m = new GatewayMetrics();
    m.observe = () => {
      throw new Error("boom");
    };
    const log: AuditLog = new MetricsAuditLog(inner, m);
    expect(log.record(call(1))).toBe("au_1");
    expect(inner.entries).toHaveLength(1);
    inner.healthy = false;
    expect(log.healthy).toBe(false);
    expect(parseExposition(new GatewayMetrics().render(log)).samples.find((s) => s.name === "portcullis_audit_healthy")?.value).toBe(0);
    log.flush();
    await log.close();
  });

  it("maps HTTP requests to bounded route/server/method labels", () => {
    const m = new GatewayMetrics({ servers: ["files"] });
    m.observeHttp("POST", "/mcp/files", "200", 0.002);
    m.observeHttp("POST", "/mcp/files/", "200", 0.002);
    m.observeHttp("POST", "/mcp/attacker-chosen-name", "404", 0.001);
    m.observeHttp("BREW", "/whatever/x", "405", 0.001);
    m.observeHttp("GET", "/metrics", "200", 0.001);
    m.observeHttp("GET", "/mcp/files", "aborted", 12);
    const { samples } = parseExposition(m.render());
    expect(sample(samples, "portcullis_http_requests_total", { route: "mcp", server: "files", method: "POST", status: "200" })).toBe(2);
    expect(sample(samples, "portcullis_http_requests_total", { route: "mcp", server: "", status: "404" })).toBe(1);
    expect(sample(samples, "portcullis_http_requests_total", { route: "other", method: "other" })).toBe(1);
    expect(sample(samples, "portcullis_http_requests_total", { route: "mcp", status: "aborted" })).toBe(1);
    expect(sample(samples, "portcullis_http_request_duration_seconds_count", { route: "mcp", method: "POST" })).toBe(3);
    expect(samples.some((s) => Object.values(s.labels).includes("attacker-chosen-name"))).toBe(false);
  });
});
