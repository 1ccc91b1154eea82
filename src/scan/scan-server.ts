import { decideDrift } from "../layers/pins/decide-drift.js";
import type { ServerPins } from "../layers/pins/pins-lock.js";
import { reviewDefinition } from "../layers/description-review/review-definition.js";
import type { Finding } from "../layers/description-review/review-types.js";
import { RpcError, StdioMcpClient } from "./stdio-client.js";
import type { PinDrift, ScanTarget, ServerReport } from "./scan-types.js";

export interface ScanServerOptions {
  /** Per-request timeout (startup included in the first). Default 30 s. */
  timeoutMs?: number;
  /** The server's pins, to report drift. */
  pins?: ServerPins;
  /** Use the injection model besides the rules (default true). */
  useModel?: boolean;
}

/**
 * Starts one server, lists its tools (all pages), prompts and resource templates, reviews every
 * definition and compares the tools with the server's pins. Never throws: a server that does not
 * start, crashes or times out comes back with status "failed" and the reason.
 */
export async function scanServer(target: ScanTarget, opts: ScanServerOptions = {}): Promise<ServerReport> {
  const started = performance.now();
  const report: ServerReport = { name: target.name, command: target.command, origin: target.origin, status: "ok", tools: [], prompts: [], resourceTemplates: [], findings: [], durationMs: 0 };
  const done = () => {
    report.durationMs = Math.round(performance.now() - started);
    return report;
  };
  const hasCommand = target.command !== undefined && target.command.length > 0;
  if (!hasCommand && !target.url) {
    report.status = "skipped";
    report.error = "no command or url";
    return done();
  }
  let client: StdioMcpClient | undefined;
  try {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    client = hasCommand
      ? await StdioMcpClient.connect(target.command!, { env: target.env, cwd: target.cwd, timeoutMs })
      : await StdioMcpClient.connectRemote(target.url!, { headers: target.headers, timeoutMs, requireHttps: target.requireHttps ?? true });
    report.serverInfo = client.serverInfo;
    const caps = client.capabilities;
    const optional = async (method: string, key: string, wanted: boolean) => {
      if (!wanted) return [];
      try {
        return await client!.listAll(method, key);
      } catch (e) {
        if (e instanceof RpcError && e.code === -32601) return []; // declared but not implemented
        throw e;
      }
    };
    // Servers that omit capabilities are still asked for tools; prompts and templates only when declared.
    const tools = await optional("tools/list", "tools", caps.tools !== undefined || Object.keys(caps).length === 0);
    const prompts = await optional("prompts/list", "prompts", caps.prompts !== undefined);
    const templates = await optional("resources/templates/list", "resourceTemplates", caps.resources !== undefined);
    const named = (xs: Record<string, unknown>[]) => xs.filter((x) => x && typeof x === "object");
    report.tools = named(tools).map((t) => String(t.name));
    report.prompts = named(prompts).map((p) => String(p.name));
    report.resourceTemplates = named(templates).map((t) => String(t.uriTemplate ?? t.name));
    const findings: Finding[] = [];
    for (const t of named(tools)) findings.push(...reviewDefinition("tool", t, { siblingTools: report.tools, useModel: opts.useModel }));
    for (const p of named(prompts)) findings.push(...reviewDefinition("prompt", p, { useModel: opts.useModel }));
    for (const t of named(templates)) findings.push(...reviewDefinition("resource_template", t, { useModel: opts.useModel }));
    if (opts.pins) {
      const drift = pinDrift(named(tools), opts.pins);
      report.drift = drift;
      findings.push(...driftFindings(drift));
    }
    report.findings = findings;
  } catch (e) {
    report.status = "failed";
    report.error = (e as Error).message;
  } finally {
    client?.close();
  }
  return done();
}

/** Drift of a listing against pins, without changing them. */
export function pinDrift(tools: Record<string, unknown>[], pins: ServerPins): PinDrift {
  const valid = tools.filter((t) => typeof t.name === "string");
  const r = decideDrift(valid, pins, "allow", new Date(0).toISOString(), new Set(valid.map((t) => t.name as string)));
  return {
    changed: r.blocked.filter((b) => b.reason === "changed").map((b) => b.name),
    renamed: r.blocked.filter((b) => b.reason === "renamed").map((b) => ({ name: b.name, from: b.renamedFrom! })),
    added: r.firstUse,
    removed: r.removed,
  };
}

function driftFindings(d: PinDrift): Finding[] {
  const f = (severity: Finding["severity"], rule: string, name: string, message: string): Finding => ({ severity, rule, kind: "tool", name, field: "definition", span: { start: 0, end: 0 }, excerpt: "", message });
  return [
    ...d.changed.map((n) => f("high", "pin-changed", n, "definition differs from the one pinned in pins.lock.json (see `portcullis pins diff`)")),
    ...d.renamed.map((r) => f("high", "pin-renamed", r.name, `carries the pinned definition of \`${r.from}\` under a new name`)),
    ...d.added.map((n) => f("low", "pin-new", n, "not pinned yet (new since the lockfile was written)")),
    ...d.removed.map((n) => f("low", "pin-removed", n, "pinned but no longer listed")),
  ];
}
