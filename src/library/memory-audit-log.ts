import type { AuditEntry, AuditLog } from "../audit/audit-record.js";

/**
 * An AuditLog that keeps entries in memory (tests, short-lived embeddings, or forwarding to your
 * own logger with `onRecord`). Not hash-chained: use the JSONL log when the record must be evidence.
 */
export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];
  readonly healthy = true;
  private readonly onRecord?: (entry: AuditEntry, id: string) => void;
  private readonly max: number;
  private seq = 0;

  constructor(options: { onRecord?: (entry: AuditEntry, id: string) => void; maxEntries?: number } = {}) {
    this.onRecord = options.onRecord;
    this.max = options.maxEntries ?? 10_000;
  }

  record(entry: AuditEntry): string {
    const id = `au_${++this.seq}`;
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.shift();
    try {
      this.onRecord?.(entry, id);
    } catch {
      // An observer's failure must not break enforcement.
    }
    return id;
  }

  flush(): void {}

  async close(): Promise<void> {}
}
