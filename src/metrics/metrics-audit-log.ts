import type { AuditEntry, AuditLog } from "../audit/audit-record.js";
import type { GatewayMetrics } from "./gateway-metrics.js";

/**
 * An AuditLog decorator: forwards every entry to the real log first (the audit line is what matters),
 * then counts it. Counting can never make `record` throw.
 */
export class MetricsAuditLog implements AuditLog {
  constructor(
    readonly inner: AuditLog,
    readonly metrics: GatewayMetrics,
  ) {}

  record(entry: AuditEntry): string {
    const id = this.inner.record(entry);
    try {
      this.metrics.observe(entry);
    } catch {
      // Metrics are best effort; the decision and its audit line already happened.
    }
    return id;
  }

  get healthy(): boolean {
    return this.inner.healthy;
  }

  flush(): void {
    this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
