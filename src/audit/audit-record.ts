import type { Severity } from "../pipeline/decision.js";
import type { ResultSummary } from "./result-summary.js";

/** What a component reports; the audit log adds seq, ts, session, caller, prev and hash. */
export interface AuditEntry {
  event: string;
  severity: Severity;
  session?: string;
  caller?: string;
  server?: string;
  method?: string;
  tool?: string;
  args?: unknown;
  decision?: "allow" | "modify" | "deny" | "hold" | "relay";
  layer?: string;
  rule?: string;
  code?: string;
  reason?: string;
  ok?: boolean;
  error?: string;
  result_bytes?: number;
  /** Shape of a tool result (summariseResult); never the content unless configured. */
  result?: ResultSummary;
  latency_ms?: number;
  details?: Record<string, unknown>;
}

/** One line of audit.jsonl (SPEC: Formats / audit). */
export interface AuditRecord extends AuditEntry {
  seq: number;
  ts: string;
  prev: string;
  hash: string;
}

/** Where decisions go. The JSONL writer is one implementation; tests and ZDR mode may add others. */
export interface AuditLog {
  /** Appends an entry and returns its id (for `_meta.portcullis.auditId`). Never throws. */
  record(entry: AuditEntry): string;
  /** False once writing failed (disk full, read-only): callers must then fail closed. */
  readonly healthy: boolean;
  flush(): void;
  close(): Promise<void>;
}
