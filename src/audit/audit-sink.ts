import type { Severity } from "../pipeline/decision.js";

/** The fields a sink may route on, without parsing the line again. */
export interface SinkRecord {
  seq: number;
  event: string;
  severity: Severity;
}

/**
 * Somewhere besides the local file that receives every chained audit line (stdout, syslog, an HTTP
 * collector, an alert webhook). `write` is called on the hot path of every tool call: it must only
 * enqueue, never block, never throw. Delivery happens later; a sink that cannot keep up drops the
 * oldest lines and counts them (the file stays the record of truth).
 */
export interface AuditSink {
  readonly name: string;
  /** `line` is the exact chained JSON text (no trailing newline), so receivers can verify it. */
  write(line: string, record: SinkRecord): void;
  /** Delivers what is queued, within a bounded time. */
  close(): Promise<void>;
  /** Lines given up on (queue full, retries exhausted); for `healthz` and tests. */
  readonly dropped: number;
}
