import type { AuditEntry, AuditLog } from "../../src/audit/audit-record.js";

/** An in-memory AuditLog for relay unit tests. */
export class MemoryAudit implements AuditLog {
  entries: AuditEntry[] = [];
  healthy = true;
  record(e: AuditEntry): string {
    this.entries.push(e);
    return `au_${this.entries.length}`;
  }
  flush(): void {}
  async close(): Promise<void> {}
}
