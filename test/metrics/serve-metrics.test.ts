import { describe, expect, it } from "vitest";
import { ConfigError, UsageError } from "../../src/errors/portcullis-error.js";
import { serveMetrics, serveMetricsSchema } from "../../src/metrics/serve-metrics.js";
import { MemoryAudit } from "../helpers/memory-audit.js";

const opts = (host = "127.0.0.1", env: NodeJS.ProcessEnv = {}) => ({ host, env, servers: ["files"] });

describe("serve.metrics config", () => {
  it("is off unless enabled, whatever shape the serve section has", () => {
    for (const serve of [undefined, null, "junk", 42, {}, { metrics: false }, { metrics: { enabled: false } }, { allowed_origins: [] }]) {
      expect(serveMetrics(serve, new MemoryAudit(), opts())).toBeUndefined();
    }
  });

  it("enables with true or an object, wrapping the audit log", () => {
    const audit = new MemoryAudit();
    const on = serveMetrics({ metrics: true }, audit, opts())!;
    expect(on).toBeDefined();
    on.audit.record({ event: "tool_call", severity: "info", server: "files", decision: "allow", latency_ms: 1 });
    expect(audit.entries).toHaveLength(1);
    expect(on.metrics.render()).toContain('portcullis_audit_events_total{event="tool_call",decision="allow",layer="",code="",server="files"} 1');
    expect(serveMetrics({ metrics: {} }, audit, opts())).toBeDefined();
  });

  it("rejects bad values with a config error naming the key", () => {
    expect(() => serveMetrics({ metrics: "yes" }, new MemoryAudit(), opts())).toThrow(ConfigError);
    expect(() => serveMetrics({ metrics: { token: "x" } }, new MemoryAudit(), opts())).toThrow(/serve\.metrics/);
    expect(() => serveMetrics({ metrics: { token_env: "1BAD" } }, new MemoryAudit(), opts())).toThrow(ConfigError);
    expect(() => serveMetrics({ metrics: { token_env: "UNSET_VAR" } }, new MemoryAudit(), opts())).toThrow(/UNSET_VAR is not set/);
  });

  it("needs a token off loopback", () => {
    expect(() => serveMetrics({ metrics: true }, new MemoryAudit(), opts("0.0.0.0"))).toThrow(UsageError);
    expect(serveMetrics({ metrics: { token_env: "T" } }, new MemoryAudit(), opts("0.0.0.0", { T: "s3cret" }))).toBeDefined();
  });

  it("exports the zod schema the config schema should adopt", () => {
    expect(serveMetricsSchema.safeParse(true).success).toBe(true);
    expect(serveMetricsSchema.safeParse({ enabled: true, token_env: "PORTCULLIS_METRICS_TOKEN" }).success).toBe(true);
    expect(serveMetricsSchema.safeParse({ extra: 1 }).success).toBe(false);
  });
});
