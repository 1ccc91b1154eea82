import type { Severity } from "../pipeline/decision.js";
import { WebhookAlertSink } from "./alert-sink.js";
import { readAuditKey } from "./audit-key.js";
import type { AuditSink } from "./audit-sink.js";
import type { JsonlAuditLogOptions } from "./jsonl-audit-log.js";
import { HttpSink } from "./sinks/http-sink.js";
import { StreamSink } from "./sinks/stream-sink.js";
import { SyslogSink } from "./sinks/syslog-sink.js";

/** The top-level `audit:` and `alerts:` config as parsed (snake_case, as in portcullis.yaml). */
export interface AuditConfigInput {
  hmac_key_env?: string;
  rotate?: { max_mb?: number; daily?: boolean };
  sinks?: (
    | { type: "stdout" }
    | { type: "stderr" }
    | { type: "syslog"; host: string; port?: number; protocol?: "udp" | "tcp"; facility?: number; min_severity?: Severity }
    | { type: "http"; url: string; format?: "jsonl" | "otlp"; min_severity?: Severity; headers?: Record<string, string> }
  )[];
}
export interface AlertConfigInput {
  url: string;
  min_severity?: Severity;
  headers?: Record<string, string>;
}

/**
 * Config to JsonlAuditLog options in one call, so a command only does
 * `new JsonlAuditLog(cfg.auditPath, auditLogOptions(raw.audit, raw.alerts, env, { stdout, stderr }))`.
 * `stdoutIsProtocol`: in `wrap` stdout carries MCP, so a `stdout` sink is refused there.
 * Throws (with a message to show the operator) when the key variable is missing.
 */
export function auditLogOptions(
  audit: AuditConfigInput | undefined,
  alerts: AlertConfigInput[] | undefined,
  env: NodeJS.ProcessEnv,
  streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; stdoutIsProtocol?: boolean },
): JsonlAuditLogOptions {
  const sinks: AuditSink[] = [];
  for (const s of audit?.sinks ?? []) {
    if (s.type === "stdout") {
      if (streams.stdoutIsProtocol) throw new Error("audit.sinks: `stdout` carries the MCP protocol in `wrap`; use `stderr` instead");
      sinks.push(new StreamSink(streams.stdout, { name: "stdout" }));
    } else if (s.type === "stderr") sinks.push(new StreamSink(streams.stderr, { name: "stderr" }));
    else if (s.type === "syslog") sinks.push(new SyslogSink({ host: s.host, port: s.port, protocol: s.protocol, facility: s.facility, minSeverity: s.min_severity }));
    else sinks.push(new HttpSink({ url: s.url, format: s.format, minSeverity: s.min_severity, headers: s.headers }));
  }
  for (const a of alerts ?? []) sinks.push(new WebhookAlertSink({ url: a.url, minSeverity: a.min_severity, headers: a.headers }));
  const r = audit?.rotate;
  return {
    hmacKey: readAuditKey(audit?.hmac_key_env, env),
    rotate: r ? { maxBytes: r.max_mb !== undefined ? Math.floor(r.max_mb * 1024 * 1024) : undefined, daily: r.daily } : undefined,
    sinks,
  };
}
