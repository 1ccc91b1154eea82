import type { AuditSink, SinkRecord } from "../audit-sink.js";

/**
 * Audit lines to a stream (stdout for `serve` under a log collector, stderr for `wrap`, whose
 * stdout is the MCP channel and must never carry anything else). A stream that cannot keep up
 * loses lines (counted) rather than buffering without bound or blocking the data path.
 */
export class StreamSink implements AuditSink {
  readonly name: string;
  dropped = 0;
  private pending = 0;
  private readonly maxPending: number;

  constructor(private readonly stream: NodeJS.WritableStream, opts: { name?: string; maxPending?: number } = {}) {
    this.name = opts.name ?? "stream";
    this.maxPending = opts.maxPending ?? 10_000;
  }

  write(line: string, _r: SinkRecord): void {
    if (this.pending >= this.maxPending) {
      this.dropped++;
      return;
    }
    this.pending++;
    this.stream.write(`${line}\n`, () => this.pending--);
  }

  async close(): Promise<void> {
    for (let i = 0; i < 100 && this.pending > 0; i++) await new Promise((r) => setTimeout(r, 10));
  }
}
