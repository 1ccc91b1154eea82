import type { AuditLog } from "../audit/audit-record.js";

/**
 * Write-ahead for endpoints that send replies one at a time: flush the audit log, and if that
 * failed, send the `unaudited` replacement instead of a result whose audit line is not on disk.
 */
export function auditedLine(audit: AuditLog, line: string, unaudited?: () => string): string {
  if (!unaudited) return line;
  audit.flush();
  return audit.healthy ? line : unaudited();
}
