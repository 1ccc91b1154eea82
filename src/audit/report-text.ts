import { ranked, SEVERITY_ORDER, type AuditReport, type Percentiles } from "./audit-report.js";

const BAR = 24;

/** The report for a terminal: sections of aligned counts with proportional bars. */
export function renderReportText(r: AuditReport, top = 10): string {
  const out: string[] = [];
  out.push(`Portcullis audit report (generated ${r.generated_at})`);
  out.push(`range: ${r.first_ts ?? "-"} .. ${r.last_ts ?? "-"}${r.since ? ` (since ${r.since})` : ""}`);
  out.push(`events: ${r.total}   denials: ${r.denials}   injections: ${r.injection.detected}   redactions: ${r.redaction.redactions} in ${r.redaction.sanitized} responses`);
  if (r.total === 0) {
    out.push("", "No audit lines in this range. Widen it with --since (e.g. --since 7d).");
    return `${out.join("\n")}\n`;
  }
  const severity = SEVERITY_ORDER.filter((s) => r.by_severity[s]).map((s) => [s, r.by_severity[s]!] as [string, number]);
  section(out, "by severity", severity);
  section(out, "by event", ranked(r.by_event).slice(0, top));
  section(out, "by decision", ranked(r.by_decision));
  section(out, "by server", ranked(r.by_server).slice(0, top));
  section(out, "by tool", ranked(r.by_tool).slice(0, top));
  section(out, "by caller (hashed)", ranked(r.by_caller).slice(0, top));
  if (r.top_denials.length) {
    out.push("", "top denials");
    for (const d of r.top_denials) out.push(`  ${String(d.count).padStart(6)}  ${d.code}  ${d.layer}/${d.rule}  ${oneLine(d.reason, 100)}`);
  }
  if (r.injection.detected) section(out, "injection detected, by tool", ranked(r.injection.by_tool).slice(0, top));
  if (r.redaction.sanitized) section(out, "responses redacted, by tool", ranked(r.redaction.by_tool).slice(0, top));
  if (r.latency_ms) {
    out.push("", "tool call latency (ms)");
    out.push(`  ${"all".padEnd(28)} ${fmtP(r.latency_ms)}`);
    for (const [tool, p] of Object.entries(r.latency_by_tool).sort((a, b) => b[1].p95 - a[1].p95).slice(0, top)) out.push(`  ${oneLine(tool, 28).padEnd(28)} ${fmtP(p)}`);
  }
  return `${out.join("\n")}\n`;
}

function section(out: string[], title: string, rows: [string, number][]): void {
  if (rows.length === 0) return;
  const max = Math.max(...rows.map(([, n]) => n));
  const width = Math.min(32, Math.max(...rows.map(([k]) => k.length)));
  out.push("", title);
  for (const [k, n] of rows) out.push(`  ${oneLine(k, width).padEnd(width)} ${String(n).padStart(7)}  ${"█".repeat(Math.max(1, Math.round((n / max) * BAR)))}`);
}

const fmtP = (p: Percentiles) => `n=${p.count}  p50 ${p.p50}  p90 ${p.p90}  p95 ${p.p95}  p99 ${p.p99}  max ${p.max}`;

/** Log content is attacker-influenced: no control characters reach the terminal. */
function oneLine(s: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
