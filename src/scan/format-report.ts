import path from "node:path";
import { SEVERITY_RANK, type Finding } from "../layers/description-review/review-types.js";
import type { Paint } from "./colour.js";
import type { ScanReport, ServerReport } from "./scan-types.js";

const SEVERITIES = ["critical", "high", "medium", "low"] as const;

export function summarise(servers: ServerReport[]): ScanReport {
  const findings = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const s of servers) for (const f of s.findings) findings[f.severity]++;
  return { version: 1, servers, summary: { servers: servers.length, failed: servers.filter((s) => s.status === "failed").length, skipped: servers.filter((s) => s.status === "skipped").length, findings } };
}

/** Human-readable report, grouped by server, worst findings first. */
export function formatText(report: ScanReport, p: Paint): string {
  const out: string[] = [];
  const sevColour = (s: Finding["severity"]) => (s === "critical" || s === "high" ? p.red : s === "medium" ? p.yellow : p.blue);
  for (const s of report.servers) {
    const head = s.status === "ok"
      ? `${s.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK.medium) ? p.yellow("!") : p.green("✓")} ${p.bold(s.name)}${s.serverInfo?.name ? p.dim(` (${s.serverInfo.name}${s.serverInfo.version ? ` ${s.serverInfo.version}` : ""})`) : ""}: ${s.tools.length} tools, ${s.prompts.length} prompts, ${s.resourceTemplates.length} resource templates, ${s.findings.length ? `${s.findings.length} finding${s.findings.length === 1 ? "" : "s"}` : "no findings"}`
      : `${s.status === "failed" ? p.red("✗") : p.dim("-")} ${p.bold(s.name)}: ${s.status === "failed" ? p.red(`failed: ${s.error}`) : p.dim(`skipped: ${s.error}`)}`;
    out.push(head);
    const findings = [...s.findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.name.localeCompare(b.name));
    for (const f of findings) {
      const where = f.field === "definition" ? "" : ` ${p.dim(`${f.field}[${f.span.start}..${f.span.end}]`)}`;
      out.push(`    ${sevColour(f.severity)(f.severity.toUpperCase().padEnd(8))} ${f.rule.padEnd(22)} ${kindLabel(f.kind)} ${p.bold(f.name)}${where}: ${f.message}${f.excerpt ? `\n${" ".repeat(13)}${p.dim(`"${f.excerpt}"`)}` : ""}`);
    }
    if (s.drift && (s.drift.changed.length || s.drift.renamed.length)) out.push(`    ${p.dim(`pin drift: review with \`portcullis pins diff ${s.name}\``)}`);
  }
  const sum = report.summary;
  const counts = SEVERITIES.filter((k) => sum.findings[k] > 0).map((k) => `${sum.findings[k]} ${k}`).join(", ") || "no findings";
  out.push("", `${sum.servers} server${sum.servers === 1 ? "" : "s"} scanned${sum.failed ? `, ${p.red(`${sum.failed} failed`)}` : ""}${sum.skipped ? `, ${sum.skipped} skipped` : ""}: ${counts}`);
  return out.join("\n") + "\n";
}

const kindLabel = (k: Finding["kind"]) => (k === "resource_template" ? "template" : k);

export function formatJson(report: ScanReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

const RULE_HELP: Record<string, string> = {
  "hidden-instructions": "Hidden instruction block aimed at the model (<IMPORTANT>, <SYSTEM>, comments).",
  "instruction-override": "Tells the model to ignore its instructions.",
  "agent-directive": "A message addressed to the model that changes its task or role.",
  secrecy: "Asks the model to hide what it does from the user.",
  "sensitive-data-request": "Asks the model to read or send credentials, keys, configuration or personal data.",
  "parameter-exfiltration": "Asks the model to smuggle data out through a tool parameter.",
  exfiltration: "Tells the model to send data, money or messages to someone.",
  "tool-shadowing": "Gives instructions about other tools (shadowing).",
  "privilege-escalation": "Claims privileges or tells the model to skip checks.",
  "preference-manipulation": "Pushes the model to prefer this tool over others.",
  "behaviour-change": "Tries to change the model's behaviour beyond this tool.",
  "suspicious-parameter": "A parameter that asks for the model's context or secrets.",
  "invisible-characters": "Invisible characters (Unicode tags, zero-width) in a definition.",
  "bidi-characters": "Bidirectional control characters in a definition.",
  "whitespace-padding": "Text pushed out of view by padding.",
  "secret-in-definition": "A credential in a tool definition or server name.",
  "internal-host": "An internal host or private address in a definition.",
  "overlong-description": "A description over 1,000 characters.",
  "injection-model": "The injection detector reads the text as instructions to the model.",
  "pin-changed": "Tool definition differs from its pin in pins.lock.json (rug pull).",
  "pin-renamed": "A pinned tool definition listed under a new name (rename evasion).",
  "pin-new": "A tool not pinned yet.",
  "pin-removed": "A pinned tool no longer listed.",
};

const LEVEL: Record<Finding["severity"], "error" | "warning" | "note"> = { critical: "error", high: "error", medium: "warning", low: "note" };
const SECURITY_SEVERITY: Record<Finding["severity"], string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };

/**
 * SARIF 2.1.0 for GitHub code scanning: one rule per finding rule, one result per finding, located
 * at the config line declaring the server (or the server's command when there is no config).
 */
export function formatSarif(report: ScanReport, opts: { cwd: string; version?: string }): string {
  const ruleIds = [...new Set(report.servers.flatMap((s) => s.findings.map((f) => f.rule)))].sort();
  const worst = new Map<string, Finding["severity"]>();
  for (const s of report.servers) for (const f of s.findings) if (!worst.has(f.rule) || SEVERITY_RANK[f.severity] > SEVERITY_RANK[worst.get(f.rule)!]) worst.set(f.rule, f.severity);
  const rules = ruleIds.map((id) => ({
    id,
    name: id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: RULE_HELP[id] ?? id },
    fullDescription: { text: RULE_HELP[id] ?? id },
    helpUri: "https://github.com/portcullis-mcp/portcullis/blob/main/docs/scan.md",
    defaultConfiguration: { level: LEVEL[worst.get(id)!] },
    properties: { tags: ["security", "mcp"], "security-severity": SECURITY_SEVERITY[worst.get(id)!] },
  }));
  const uri = (s: ServerReport) => {
    const file = s.origin?.file ?? s.command?.slice(1).find((a) => /\.[cm]?[jt]s$|\.py$/.test(a)) ?? "mcp-servers";
    const rel = path.isAbsolute(file) ? path.relative(opts.cwd, file) : file;
    return rel.split(path.sep).join("/") || file;
  };
  const results = report.servers.flatMap((s) =>
    s.findings.map((f) => ({
      ruleId: f.rule,
      ruleIndex: ruleIds.indexOf(f.rule),
      level: LEVEL[f.severity],
      message: { text: `${s.name}: ${f.kind === "resource_template" ? "resource template" : f.kind} \`${f.name}\`${f.field !== "definition" ? ` (${f.field})` : ""}: ${f.message}${f.excerpt ? `: "${f.excerpt}"` : ""}` },
      locations: [{
        physicalLocation: { artifactLocation: { uri: uri(s) }, region: { startLine: s.origin?.line ?? 1 } },
        logicalLocations: [{ name: f.name, fullyQualifiedName: `${s.name}/${f.name}/${f.field}`, kind: "member" }],
      }],
      partialFingerprints: { "portcullis/v1": `${s.name}/${f.kind}/${f.name}/${f.field}/${f.rule}` },
      properties: { severity: f.severity, server: s.name, field: f.field, span: [f.span.start, f.span.end] },
    })),
  );
  const notifications = report.servers.filter((s) => s.status !== "ok").map((s) => ({
    level: s.status === "failed" ? "error" : "note",
    message: { text: `${s.name}: ${s.status}: ${s.error ?? ""}` },
    descriptor: { id: s.status === "failed" ? "server-failed" : "server-skipped" },
  }));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: { driver: { name: "portcullis", informationUri: "https://github.com/portcullis-mcp/portcullis", semanticVersion: opts.version ?? "0.1.0", version: opts.version ?? "0.1.0", rules } },
      invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
      results,
    }],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}
