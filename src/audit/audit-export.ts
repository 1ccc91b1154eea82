import type { AuditRecord } from "./audit-record.js";

export const EXPORT_COLUMNS = ["seq", "ts", "event", "severity", "session", "caller", "server", "method", "tool", "decision", "layer", "rule", "code", "ok", "error", "result_bytes", "latency_ms", "reason", "args", "prev", "hash"] as const;

/** One CSV row per record (RFC 4180), args as JSON text. */
export function toCsv(records: readonly AuditRecord[]): string {
  const out = [EXPORT_COLUMNS.join(",")];
  for (const r of records) out.push(EXPORT_COLUMNS.map((c) => csvCell((r as unknown as Record<string, unknown>)[c])).join(","));
  return `${out.join("\r\n")}\r\n`;
}

/**
 * A CSV cell. Strings starting with = + - @ (or tab/CR) are prefixed with ' because spreadsheets
 * run them as formulas, and tool names and reasons come from untrusted parties (CSV injection).
 */
export function csvCell(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  let s = typeof v === "string" ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** JSONL export is the lines themselves, verbatim, so the exported copy still verifies. */
export function toJsonl(lines: readonly string[]): string {
  return lines.map((l) => `${l}\n`).join("");
}
