import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildReport } from "../../audit/audit-report.js";
import { toCsv, toJsonl } from "../../audit/audit-export.js";
import { readAuditKey } from "../../audit/audit-key.js";
import { chainOf, discoverChains, type ChainFiles } from "../../audit/chain-files.js";
import { parseDuration, parseSince } from "../../audit/parse-duration.js";
import { pruneAudit } from "../../audit/prune.js";
import { readAuditRecords } from "../../audit/read-audit.js";
import { renderReportHtml } from "../../audit/report-html.js";
import { renderReportText } from "../../audit/report-text.js";
import type { RetentionRules } from "../../audit/retention.js";
import { verifyChain } from "../../audit/verify-chain.js";
import { ConfigError, UsageError } from "../../errors/portcullis-error.js";
import type { CliIO, Command } from "../cli-io.js";
import { loadCliConfig } from "../load-cli-config.js";

const USAGE = `usage: portcullis audit verify [FILE] [--key-env NAME] [--anchor SEQ:HASH] [--json]
       portcullis audit report [--since 24h] [--format text|json|html] [--out FILE]
       portcullis audit export [--since 24h] [--format jsonl|csv] [--out FILE]
       portcullis audit prune  [--keep CLASS=AGE ...] [--dry-run] [--key-env NAME]
common: [-c CONFIG] [--state-dir DIR]; FILE defaults to the config's audit path (.portcullis/audit.jsonl)`;

const OPTIONS = {
  config: { type: "string", short: "c" },
  "state-dir": { type: "string" },
  "key-env": { type: "string" },
  anchor: { type: "string" },
  json: { type: "boolean" },
  since: { type: "string" },
  format: { type: "string" },
  out: { type: "string", short: "o" },
  keep: { type: "string", multiple: true },
  "dry-run": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** `portcullis audit verify | report | export | prune`. Exit 0 ok, 1 tampering found, 2 usage/config. */
export const auditCommand: Command = async (args, io) => {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true });
  if (values.help || sub === "--help" || sub === "-h") {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!sub || !["verify", "report", "export", "prune"].includes(sub)) {
    throw new UsageError(sub ? `unknown audit subcommand "${sub}".\n${USAGE}` : USAGE);
  }
  if (positionals.length > 1 || (positionals.length === 1 && sub !== "verify" && sub !== "report" && sub !== "export")) {
    throw new UsageError(`unexpected argument "${positionals[positionals.length - 1]}".\n${USAGE}`);
  }
  const ctx = context(values, positionals[0], io);
  switch (sub) {
    case "verify":
      return verify(ctx, values, io);
    case "report":
      return report(ctx, values, io);
    case "export":
      return exportLog(ctx, values, io);
    default:
      return prune(ctx, values, io);
  }
};

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true } ? string[] : (typeof OPTIONS)[K]["type"] extends "boolean" ? boolean : string };

interface Ctx {
  auditPath: string;
  chains: ChainFiles[];
  key?: string;
  now: Date;
  /** `audit.retention` from the config (class -> age), used by prune when no --keep is given. */
  retention?: Record<string, string>;
}

function context(values: Values, file: string | undefined, io: CliIO): Ctx {
  const now = new Date();
  let auditPath: string;
  let keyEnv = values["key-env"];
  let retention: Record<string, string> | undefined;
  if (file !== undefined) {
    auditPath = path.resolve(io.cwd, file);
    if (!fs.existsSync(auditPath)) throw new UsageError(`no audit file at ${auditPath}; check the path (the default is .portcullis/audit.jsonl beside the config).`);
  } else {
    const cfg = loadCliConfig({ config: values.config, stateDir: values["state-dir"] }, io.env, io.cwd);
    auditPath = cfg.auditPath;
    // --key-env wins over audit.hmac_key_env.
    keyEnv ??= cfg.loaded.raw.audit?.hmac_key_env;
    retention = cfg.loaded.raw.audit?.retention;
  }
  let key: string | undefined;
  try {
    key = readAuditKey(keyEnv, io.env);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const single = file !== undefined ? chainOf(auditPath) : undefined;
  const chains = single ? [single] : discoverChains(auditPath);
  if (chains.length === 0) throw new UsageError(`no audit log at ${auditPath}: nothing has been recorded yet (run \`portcullis wrap\`), or pass the file to read.`);
  return { auditPath, chains, key, now, retention };
}

function verify(ctx: Ctx, values: Values, io: CliIO): number {
  let anchor: { seq: number; hash?: string } | undefined;
  if (values.anchor !== undefined) {
    const m = /^(\d+)(?::((?:hmac:)?[0-9a-f]{64}))?$/.exec(values.anchor);
    if (!m) throw new UsageError(`--anchor takes SEQ or SEQ:HASH as printed by a previous \`audit verify\` (got "${values.anchor}").`);
    anchor = { seq: Number(m[1]), hash: m[2] };
  }
  let code = 0;
  const results = [];
  for (const chain of ctx.chains) {
    const r = verifyChain(chain.files, { key: ctx.key, anchor: chain.writer === "" ? anchor : undefined });
    results.push({ writer: chain.writer || "primary", ...r });
    const name = chain.files[chain.files.length - 1]!;
    const files = chain.files.length > 1 ? ` across ${chain.files.length} files` : "";
    if (r.needsKey) {
      io.stderr.write(`portcullis: ${r.needsKey.file}:${r.needsKey.line} is HMAC-signed; give the key to verify it: --key-env NAME (the variable holding it) or audit.hmac_key_env in the config.\n`);
      code = Math.max(code, 2);
    } else if (r.finding) {
      io.stdout.write(`TAMPERED ${r.finding.message}\n  chain: ${name}${files}; ${r.lines} lines verified before the break. Restore the file from a copy or a remote sink; do not append to it.\n`);
      code = Math.max(code, 1);
    } else {
      io.stdout.write(`OK ${name}${files}: ${r.lines} lines, seq 1..${r.lastSeq}, ${r.keyed ? "HMAC-signed" : "sha256 (unkeyed: set audit.hmac_key_env so a forger cannot recompute it)"}\n  head ${r.lastSeq}:${r.head}\n  (keep the head elsewhere; \`portcullis audit verify --anchor ${r.lastSeq}:${r.head}\` later detects truncation)\n`);
    }
    for (const n of r.notes) io.stdout.write(`  note: ${n}\n`);
  }
  if (values.json) io.stdout.write(`${JSON.stringify(results)}\n`);
  return code;
}

function since(values: Values, now: Date): Date | undefined {
  const text = values.since ?? "24h";
  if (text === "all") return undefined;
  const d = parseSince(text, now);
  if (!d) throw new UsageError(`--since takes a duration (30m, 24h, 7d), an RFC 3339 time, or "all" (got "${text}").`);
  return d;
}

function output(values: Values, io: CliIO, text: string): void {
  if (values.out) {
    fs.writeFileSync(path.resolve(io.cwd, values.out), text, { mode: 0o600 });
    io.stderr.write(`wrote ${path.resolve(io.cwd, values.out)}\n`);
  } else io.stdout.write(text);
}

function report(ctx: Ctx, values: Values, io: CliIO): number {
  const format = values.format ?? "text";
  if (!["text", "json", "html"].includes(format)) throw new UsageError(`--format for report is text, json or html (got "${format}").`);
  const from = since(values, ctx.now);
  const { records } = readAuditRecords(ctx.chains.flatMap((c) => c.files), { since: from });
  records.sort((a, b) => a.ts.localeCompare(b.ts));
  const r = buildReport(records, { now: ctx.now, since: from });
  output(values, io, format === "json" ? `${JSON.stringify(r, null, 2)}\n` : format === "html" ? renderReportHtml(r) : renderReportText(r));
  return 0;
}

function exportLog(ctx: Ctx, values: Values, io: CliIO): number {
  const format = values.format ?? "jsonl";
  if (format !== "jsonl" && format !== "csv") throw new UsageError(`--format for export is jsonl or csv (got "${format}").`);
  const { records, lines } = readAuditRecords(ctx.chains.flatMap((c) => c.files), { since: values.since === undefined ? undefined : since(values, ctx.now) });
  output(values, io, format === "csv" ? toCsv(records) : toJsonl(lines));
  return 0;
}

function prune(ctx: Ctx, values: Values, io: CliIO): number {
  const rules: RetentionRules = {};
  const keep = values.keep?.length ? values.keep : Object.entries(ctx.retention ?? {}).map(([cls, age]) => `${cls}=${age}`);
  for (const k of keep) {
    const m = /^([A-Za-z0-9_]+)=(.+)$/.exec(k);
    const ms = m ? parseDuration(m[2]!) : undefined;
    if (!m || ms === undefined) throw new UsageError(`--keep takes CLASS=AGE, e.g. --keep default=90d --keep security=365d --keep tool_call=30d (got "${k}").`);
    rules[m[1]!] = ms;
  }
  if (Object.keys(rules).length === 0) throw new UsageError(`say what to keep: --keep default=90d --keep security=365d, or set audit.retention in the config (classes: default, security, operational, or an event name).\n${USAGE}`);
  let results;
  try {
    results = pruneAudit(ctx.auditPath, { rules, key: ctx.key, now: ctx.now, dryRun: values["dry-run"] });
  } catch (e) {
    io.stderr.write(`portcullis: audit prune: ${(e as Error).message}\n`);
    return /does not verify/.test((e as Error).message) ? 1 : 2;
  }
  for (const r of results) {
    const removed = Object.entries(r.removed).map(([ev, n]) => `${ev} ${n}`).join(", ") || "nothing";
    io.stdout.write(`${values["dry-run"] ? "would remove" : "removed"} from ${r.chain}: ${removed}; kept ${r.kept}${r.rewritten.length ? ` (re-chained; the first line records the old head)` : ""}\n`);
  }
  return 0;
}
