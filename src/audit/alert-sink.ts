import type { Severity } from "../pipeline/decision.js";
import type { AuditSink, SinkRecord } from "./audit-sink.js";
import { BatchSender, type BatchSenderOptions } from "./batch-sender.js";
import { httpPost } from "./http-post.js";
import { atLeast } from "./severity-rank.js";
import { withDefaults } from "./with-defaults.js";

export interface WebhookAlertOptions extends Omit<BatchSenderOptions<string>, "send"> {
  url: string;
  /** Lines below this severity are not alerts (default "high"). */
  minSeverity?: Severity;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * Alerts: audit lines at or above a severity POSTed to a webhook as
 * `{"source":"portcullis","alerts":[<audit line>, ...]}`, batched, retried with backoff, bounded.
 * Each alert is the full chained line, so the receiver can check it against the local log.
 */
export class WebhookAlertSink implements AuditSink {
  readonly name: string;
  private readonly sender: BatchSender<string>;
  private readonly min: Severity;

  constructor(o: WebhookAlertOptions) {
    this.name = `webhook ${new URL(o.url).host}`;
    this.min = o.minSeverity ?? "high";
    this.sender = new BatchSender<string>({
      ...withDefaults({ flushMs: 200, maxBatch: 50, maxQueue: 1000 }, o),
      send: (batch) => httpPost(o.url, `{"source":"portcullis","alerts":[${batch.join(",")}]}`, "application/json", o.headers, o.timeoutMs),
    });
  }

  get dropped(): number {
    return this.sender.dropped;
  }

  get delivered(): number {
    return this.sender.delivered;
  }

  write(line: string, r: SinkRecord): void {
    if (atLeast(r.severity, this.min)) this.sender.push(line);
  }

  close(): Promise<void> {
    return this.sender.close();
  }
}
