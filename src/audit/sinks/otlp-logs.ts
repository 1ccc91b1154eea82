/** OTLP severity numbers (opentelemetry logs data model): INFO 9, INFO2 10, WARN 13, ERROR 17, FATAL 21. */
const SEVERITY_NUMBER: Record<string, number> = { info: 9, low: 10, medium: 13, high: 17, critical: 21 };

/**
 * An OTLP/HTTP JSON `ExportLogsServiceRequest` for some audit lines: the line is the body (so it can
 * still be verified), and event, severity, server, tool, seq become attributes for querying.
 */
export function otlpLogsBody(lines: readonly string[]): string {
  const logRecords = lines.map((line) => {
    let r: Record<string, unknown> = {};
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // Not ours to fix: ship the text anyway.
    }
    const ts = Date.parse(String(r.ts ?? ""));
    const attributes = ["event", "severity", "server", "tool", "decision", "code", "session"]
      .filter((k) => typeof r[k] === "string")
      .map((k) => ({ key: `portcullis.${k}`, value: { stringValue: r[k] as string } }));
    if (typeof r.seq === "number") attributes.push({ key: "portcullis.seq", value: { intValue: String(r.seq) } as never });
    return {
      timeUnixNano: Number.isFinite(ts) ? `${ts}000000` : undefined,
      severityNumber: SEVERITY_NUMBER[String(r.severity)] ?? 9,
      severityText: String(r.severity ?? "info").toUpperCase(),
      body: { stringValue: line },
      attributes,
    };
  });
  return JSON.stringify({
    resourceLogs: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "portcullis" } }] }, scopeLogs: [{ scope: { name: "portcullis.audit" }, logRecords }] }],
  });
}
