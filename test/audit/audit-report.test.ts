import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildReport, percentiles } from "../../src/audit/audit-report.js";
import { csvCell, toCsv } from "../../src/audit/audit-export.js";
import { readAuditRecords } from "../../src/audit/read-audit.js";
import { renderReportHtml } from "../../src/audit/report-html.js";
import { renderReportText } from "../../src/audit/report-text.js";
import { KNOWN, START, writeKnownLog } from "../fixtures/audit/known-log.js";
import { tmpDir } from "./audit-test-helpers.js";

async function known() {
  const file = path.join(tmpDir(), "audit.jsonl");
  await writeKnownLog(file);
  return readAuditRecords([file]).records;
}

describe("buildReport against a known log", () => {
  it("counts by event, severity, server, tool, caller, decision", async () => {
    const r = buildReport(await known(), { now: new Date(START + 3_600_000) });
    expect(r.total).toBe(10);
    expect(r.by_event).toEqual({ tool_call: 4, access_denied: 3, injection_detected: 1, response_sanitized: 1, rate_limited: 1 });
    expect(r.by_severity).toEqual({ info: 5, medium: 3, high: 1, low: 1 });
    expect(r.by_server).toEqual({ files: 6, mail: 4 });
    expect(r.by_tool).toEqual({ read_file: 3, search: 1, send_email: 3, delete: 2, fetch_inbox: 1 });
    expect(r.by_caller).toEqual({ c1: 5, c2: 5 });
    expect(r.by_decision).toEqual({ allow: 4, deny: 4, modify: 2 });
    expect(r.first_ts).toBe("2026-05-01T10:00:00.000Z");
    expect(r.last_ts).toBe("2026-05-01T10:45:00.000Z");
  });

  it("ranks denials with their reasons", async () => {
    const r = buildReport(await known());
    expect(r.denials).toBe(4);
    expect(r.top_denials[0]).toEqual({ code: "TOOL_DENIED", layer: "tool-policy", rule: "deny-glob", count: 2, reason: "Portcullis blocked `delete`: denied by *delete*" });
    expect(r.top_denials.map((d) => d.code).sort()).toEqual(["ARGUMENT_REJECTED", "RATE_LIMITED", "TOOL_DENIED"]);
  });

  it("reports injection, redaction and latency percentiles", async () => {
    const r = buildReport(await known());
    expect(r.injection).toEqual({ detected: 1, by_tool: { fetch_inbox: 1 }, by_server: { mail: 1 } });
    expect(r.redaction).toEqual({ sanitized: 1, redactions: 3, by_tool: { read_file: 1 } });
    expect(r.latency_ms).toEqual({ count: 4, p50: 20, p90: 40, p95: 40, p99: 40, max: 40 });
    expect(r.latency_by_tool.read_file).toEqual({ count: 2, p50: 10, p90: 20, p95: 20, p99: 20, max: 20 });
    expect(r.timeline).toEqual([{ start: "2026-05-01T10:00:00.000Z", total: 10, denials: 4 }]);
  });

  it("percentiles are nearest-rank", () => {
    expect(percentiles([5, 1, 4, 2, 3, 6, 7, 8, 9, 10])).toEqual({ count: 10, p50: 5, p90: 9, p95: 10, p99: 10, max: 10 });
    expect(percentiles([])).toBeNull();
  });
});

describe("renderers", () => {
  it("text shows the figures", async () => {
    const t = renderReportText(buildReport(await known()));
    expect(t).toMatch(/events: 10 {3}denials: 4 {3}injections: 1 {3}redactions: 3 in 1 responses/);
    expect(t).toMatch(/TOOL_DENIED {2}tool-policy\/deny-glob/);
    expect(t).toMatch(/all +n=4 {2}p50 20 {2}p90 40/);
  });

  it("html is one self-contained file with charts and escapes log content", async () => {
    const h = renderReportHtml(buildReport(await known()));
    expect(h.startsWith("<!doctype html>")).toBe(true);
    expect((h.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(6);
    expect(h).not.toMatch(/<script|<link|\bsrc=|https?:\/\//i);
    expect(h).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(h).toContain("default-src 'none'");
  });
});

describe("export", () => {
  it("csv has one row per record and defuses formulas", async () => {
    const csv = toCsv(await known());
    const rows = csv.trimEnd().split("\r\n");
    expect(rows).toHaveLength(KNOWN.length + 1);
    expect(rows[0]).toMatch(/^seq,ts,event,severity,/);
    expect(csv).toContain(`"'=HYPERLINK(""x"") <script>alert(1)</script>"`);
    expect(csvCell(-3)).toBe("-3");
    expect(csvCell("-cmd")).toBe("'-cmd");
  });
});
