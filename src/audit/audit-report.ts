import type { AuditRecord } from "./audit-record.js";

export const SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"] as const;

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface DenialGroup {
  code: string;
  layer: string;
  rule: string;
  count: number;
  /** The most frequent reason in the group (reasons name the tool or argument, so they vary). */
  reason: string;
}

/** Everything `audit report` shows; the JSON format is this object. */
export interface AuditReport {
  generated_at: string;
  since?: string;
  first_ts?: string;
  last_ts?: string;
  total: number;
  by_event: Record<string, number>;
  by_severity: Record<string, number>;
  by_server: Record<string, number>;
  by_tool: Record<string, number>;
  by_caller: Record<string, number>;
  by_decision: Record<string, number>;
  denials: number;
  top_denials: DenialGroup[];
  injection: { detected: number; by_tool: Record<string, number>; by_server: Record<string, number> };
  redaction: { sanitized: number; redactions: number; by_tool: Record<string, number> };
  /** Of completed tool calls (event tool_call with latency_ms). */
  latency_ms: Percentiles | null;
  latency_by_tool: Record<string, Percentiles>;
  /** Events per time bucket (hour when the range is up to two days, else day), for the chart. */
  timeline: { start: string; total: number; denials: number }[];
}

const INJECTION_EVENTS = new Set(["injection_detected"]);
const REDACTION_EVENTS = new Set(["response_sanitized", "secret_redacted", "redaction_applied"]);

/** Pure: the report of some records. `now` and `since` only label the report and the timeline. */
export function buildReport(records: readonly AuditRecord[], opts: { now?: Date; since?: Date; top?: number } = {}): AuditReport {
  const now = opts.now ?? new Date();
  const r: AuditReport = {
    generated_at: now.toISOString(),
    since: opts.since?.toISOString(),
    total: records.length,
    by_event: {}, by_severity: {}, by_server: {}, by_tool: {}, by_caller: {}, by_decision: {},
    denials: 0,
    top_denials: [],
    injection: { detected: 0, by_tool: {}, by_server: {} },
    redaction: { sanitized: 0, redactions: 0, by_tool: {} },
    latency_ms: null,
    latency_by_tool: {},
    timeline: [],
  };
  const denials = new Map<string, { g: DenialGroup; reasons: Map<string, number> }>();
  const latencies: number[] = [];
  const toolLatencies = new Map<string, number[]>();
  let first = Infinity;
  let last = -Infinity;
  for (const rec of records) {
    bump(r.by_event, rec.event);
    bump(r.by_severity, rec.severity);
    if (rec.server) bump(r.by_server, rec.server);
    if (rec.tool) bump(r.by_tool, rec.tool);
    if (rec.caller) bump(r.by_caller, rec.caller);
    if (rec.decision) bump(r.by_decision, rec.decision);
    const t = Date.parse(rec.ts);
    if (Number.isFinite(t)) {
      first = Math.min(first, t);
      last = Math.max(last, t);
    }
    if (rec.decision === "deny") {
      r.denials++;
      const key = `${rec.code ?? "-"}\u0000${rec.layer ?? "-"}\u0000${rec.rule ?? "-"}`;
      const d = denials.get(key) ?? { g: { code: rec.code ?? "-", layer: rec.layer ?? "-", rule: rec.rule ?? "-", count: 0, reason: "" }, reasons: new Map() };
      denials.set(key, d);
      d.g.count++;
      if (rec.reason) d.reasons.set(rec.reason, (d.reasons.get(rec.reason) ?? 0) + 1);
    }
    if (INJECTION_EVENTS.has(rec.event)) {
      r.injection.detected++;
      if (rec.tool) bump(r.injection.by_tool, rec.tool);
      if (rec.server) bump(r.injection.by_server, rec.server);
    }
    if (REDACTION_EVENTS.has(rec.event)) {
      r.redaction.sanitized++;
      r.redaction.redactions += redactionCount(rec.details);
      if (rec.tool) bump(r.redaction.by_tool, rec.tool);
    }
    if (rec.event === "tool_call" && typeof rec.latency_ms === "number" && Number.isFinite(rec.latency_ms)) {
      latencies.push(rec.latency_ms);
      if (rec.tool) {
        const l = toolLatencies.get(rec.tool) ?? [];
        toolLatencies.set(rec.tool, l);
        l.push(rec.latency_ms);
      }
    }
  }
  r.top_denials = [...denials.values()]
    .map(({ g, reasons }) => ({ ...g, reason: [...reasons.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "" }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
    .slice(0, opts.top ?? 10);
  r.latency_ms = percentiles(latencies);
  for (const [tool, l] of [...toolLatencies.entries()].sort()) r.latency_by_tool[tool] = percentiles(l)!;
  if (Number.isFinite(first)) {
    r.first_ts = new Date(first).toISOString();
    r.last_ts = new Date(last).toISOString();
    r.timeline = timeline(records, first, last);
  }
  return r;
}

/** Nearest-rank percentiles (every value reported is one that was measured). */
export function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
  return { count: s.length, p50: at(50), p90: at(90), p95: at(95), p99: at(99), max: s[s.length - 1]! };
}

/** Entries of a count map, largest first; ties by name so output is stable. */
export function ranked(m: Record<string, number>): [string, number][] {
  return Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function bump(m: Record<string, number>, k: string): void {
  m[k] = (m[k] ?? 0) + 1;
}

function redactionCount(details: Record<string, unknown> | undefined): number {
  if (!details) return 1;
  for (const k of ["count", "redactions", "findings"]) {
    const v = details[k];
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (Array.isArray(v)) return v.length;
  }
  return 1;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_BUCKETS = 400;

function timeline(records: readonly AuditRecord[], first: number, last: number): AuditReport["timeline"] {
  let size = last - first <= 2 * DAY ? HOUR : DAY;
  const start = Math.floor(first / size) * size;
  while ((last - start) / size >= MAX_BUCKETS) size *= 2; // bounded, whatever the range
  const n = Math.floor((last - start) / size) + 1;
  const out = Array.from({ length: n }, (_, i) => ({ start: new Date(start + i * size).toISOString(), total: 0, denials: 0 }));
  for (const rec of records) {
    const t = Date.parse(rec.ts);
    if (!Number.isFinite(t)) continue;
    const b = out[Math.floor((t - start) / size)];
    if (!b) continue;
    b.total++;
    if (rec.decision === "deny") b.denials++;
  }
  return out;
}
