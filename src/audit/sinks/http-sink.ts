import type { Severity } from "../../pipeline/decision.js";
import type { AuditSink, SinkRecord } from "../audit-sink.js";
import { BatchSender, type BatchSenderOptions } from "../batch-sender.js";
import { httpPost } from "../http-post.js";
import { atLeast } from "../severity-rank.js";
import { otlpLogsBody } from "./otlp-logs.js";

export interface HttpSinkOptions extends Omit<BatchSenderOptions<string>, "send"> {
  url: string;
  /** "jsonl": the chained lines as application/x-ndjson. "otlp": OpenTelemetry OTLP/HTTP JSON logs (POST to .../v1/logs). */
  format?: "jsonl" | "otlp";
  minSeverity?: Severity;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Ships audit lines to a collector so the log also lives off the gateway host. */
export class HttpSink implements AuditSink {
  readonly name: string;
  private readonly sender: BatchSender<string>;
  private readonly min: Severity;

  constructor(o: HttpSinkOptions) {
    this.name = `http ${new URL(o.url).host}`;
    this.min = o.minSeverity ?? "info";
    const otlp = o.format === "otlp";
    this.sender = new BatchSender<string>({
      ...o,
      send: (batch) =>
        otlp ? httpPost(o.url, otlpLogsBody(batch), "application/json", o.headers, o.timeoutMs) : httpPost(o.url, batch.map((l) => `${l}\n`).join(""), "application/x-ndjson", o.headers, o.timeoutMs),
    });
  }

  get dropped(): number {
    return this.sender.dropped;
  }

  write(line: string, r: SinkRecord): void {
    if (atLeast(r.severity, this.min)) this.sender.push(line);
  }

  close(): Promise<void> {
    return this.sender.close();
  }
}
