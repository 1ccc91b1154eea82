import { ranked, SEVERITY_ORDER, type AuditReport } from "./audit-report.js";

/**
 * The report as one self-contained HTML file: inline CSS and SVG charts, no script, no external
 * asset (it is opened from disk, mailed, attached to tickets). Every value from the log is escaped:
 * tool names, reasons and callers come from untrusted servers and clients. A CSP forbids scripts
 * so a missed escape still cannot run code.
 */
export function renderReportHtml(r: AuditReport, top = 10): string {
  const sevColors: Record<string, string> = { critical: "#7f1d1d", high: "#dc2626", medium: "#f59e0b", low: "#3b82f6", info: "#9ca3af" };
  const severity = SEVERITY_ORDER.filter((s) => r.by_severity[s]).map((s) => [s, r.by_severity[s]!] as [string, number]);
  const parts: string[] = [];
  parts.push(`<h1>Portcullis audit report</h1>
<p class="meta">${esc(r.first_ts ?? "-")} → ${esc(r.last_ts ?? "-")}${r.since ? ` (since ${esc(r.since)})` : ""} · generated ${esc(r.generated_at)}</p>
<div class="tiles">${tile("events", r.total)}${tile("denials", r.denials, r.denials ? "#dc2626" : undefined)}${tile("injections", r.injection.detected, r.injection.detected ? "#b45309" : undefined)}${tile("redactions", r.redaction.redactions)}${tile("p95 latency ms", r.latency_ms?.p95 ?? "-")}</div>`);
  if (r.total === 0) parts.push("<p>No audit lines in this range.</p>");
  else {
    parts.push(card("Activity over time", timelineChart(r)));
    parts.push(`<div class="grid">`);
    parts.push(card("By severity", barChart(severity, (k) => sevColors[k] ?? "#6b7280")));
    parts.push(card("By event", barChart(ranked(r.by_event).slice(0, top))));
    parts.push(card("By server", barChart(ranked(r.by_server).slice(0, top))));
    parts.push(card("By tool", barChart(ranked(r.by_tool).slice(0, top))));
    parts.push(card("By caller (hashed)", barChart(ranked(r.by_caller).slice(0, top))));
    parts.push(card("By decision", barChart(ranked(r.by_decision), (k) => (k === "deny" ? "#dc2626" : k === "modify" ? "#f59e0b" : "#16a34a"))));
    if (r.latency_ms) {
      const p = r.latency_ms;
      parts.push(card(`Tool call latency, ms (n=${p.count})`, barChart([["p50", p.p50], ["p90", p.p90], ["p95", p.p95], ["p99", p.p99], ["max", p.max]], () => "#8b5cf6")));
    }
    if (r.injection.detected) parts.push(card("Injection detected, by tool", barChart(ranked(r.injection.by_tool).slice(0, top), () => "#b45309")));
    if (r.redaction.sanitized) parts.push(card("Responses redacted, by tool", barChart(ranked(r.redaction.by_tool).slice(0, top), () => "#0891b2")));
    parts.push(`</div>`);
    if (r.top_denials.length) {
      const rows = r.top_denials.map((d) => `<tr><td class="n">${d.count}</td><td><code>${esc(d.code)}</code></td><td>${esc(d.layer)} / ${esc(d.rule)}</td><td>${esc(d.reason)}</td></tr>`).join("");
      parts.push(card("Top denials", `<table><thead><tr><th>count</th><th>code</th><th>layer / rule</th><th>reason (most frequent)</th></tr></thead><tbody>${rows}</tbody></table>`));
    }
    const lat = Object.entries(r.latency_by_tool).sort((a, b) => b[1].p95 - a[1].p95).slice(0, top);
    if (lat.length) {
      const rows = lat.map(([t, p]) => `<tr><td>${esc(t)}</td><td class="n">${p.count}</td><td class="n">${p.p50}</td><td class="n">${p.p95}</td><td class="n">${p.p99}</td><td class="n">${p.max}</td></tr>`).join("");
      parts.push(card("Latency by tool (ms)", `<table><thead><tr><th>tool</th><th>n</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr></thead><tbody>${rows}</tbody></table>`));
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Portcullis audit report</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,sans-serif;margin:24px;color:#111827;background:#f9fafb}
h1{margin:0 0 4px}h2{font-size:15px;margin:0 0 8px}.meta{color:#6b7280;margin:0 0 16px}
.tiles{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px}.tile{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:10px 16px;min-width:120px}
.tile b{display:block;font-size:24px}.tile span{color:#6b7280}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:16px;margin:16px 0}
.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:14px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #f3f4f6;padding:4px 6px;text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}
svg text{font:12px system-ui,sans-serif;fill:#374151}
</style></head><body>
${parts.join("\n")}
</body></html>
`;
}

function tile(label: string, value: number | string, color?: string): string {
  return `<div class="tile"><b${color ? ` style="color:${color}"` : ""}>${esc(String(value))}</b><span>${esc(label)}</span></div>`;
}

const card = (title: string, body: string) => `<section class="card"><h2>${esc(title)}</h2>${body}</section>`;

/** Horizontal bars, one row per entry, labels left and counts right. */
function barChart(rows: [string, number][], color: (k: string) => string = () => "#2563eb"): string {
  if (rows.length === 0) return "<p>none</p>";
  const rowH = 22;
  const labelW = 150;
  const barW = 180;
  const max = Math.max(...rows.map(([, n]) => n), 1);
  const h = rows.length * rowH + 4;
  const bars = rows
    .map(([k, n], i) => {
      const y = i * rowH + 2;
      const w = Math.max(2, Math.round((n / max) * barW));
      return `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${esc(clip(k, 22))}<title>${esc(k)}</title></text><rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" rx="3" fill="${color(k)}"/><text x="${labelW + w + 6}" y="${y + 15}">${n}</text>`;
    })
    .join("");
  return `<svg role="img" viewBox="0 0 ${labelW + barW + 70} ${h}" width="100%" height="${h}">${bars}</svg>`;
}

/** Stacked columns per time bucket: allowed (blue) and denied (red). */
function timelineChart(r: AuditReport): string {
  const t = r.timeline;
  if (t.length === 0) return "<p>none</p>";
  const w = 900;
  const h = 160;
  const pad = 28;
  const max = Math.max(...t.map((b) => b.total), 1);
  const colW = (w - pad) / t.length;
  const cols = t
    .map((b, i) => {
      const x = pad + i * colW;
      const total = Math.round((b.total / max) * (h - 30));
      const den = Math.round((b.denials / max) * (h - 30));
      const title = `<title>${esc(b.start)}: ${b.total} events, ${b.denials} denials</title>`;
      return `<g>${title}<rect x="${x.toFixed(1)}" y="${h - 20 - total}" width="${Math.max(1, colW - 1).toFixed(1)}" height="${total - den}" fill="#60a5fa"/><rect x="${x.toFixed(1)}" y="${h - 20 - den}" width="${Math.max(1, colW - 1).toFixed(1)}" height="${den}" fill="#dc2626"/></g>`;
    })
    .join("");
  const axis = `<text x="0" y="12">${max}</text><text x="0" y="${h - 20}">0</text><text x="${pad}" y="${h - 4}">${esc(t[0]!.start.slice(0, 16))}</text><text x="${w}" y="${h - 4}" text-anchor="end">${esc(t[t.length - 1]!.start.slice(0, 16))}</text>`;
  return `<svg role="img" viewBox="0 0 ${w} ${h}" width="100%" height="${h}">${axis}${cols}</svg><p class="meta">blue: events · red: denials</p>`;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
