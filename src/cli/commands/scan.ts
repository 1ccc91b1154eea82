import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { deriveServerName } from "../../config/resolve-config.js";
import { UsageError } from "../../errors/portcullis-error.js";
import { SEVERITY_RANK } from "../../layers/description-review/review-types.js";
import { readLock, type PinsLock } from "../../layers/pins/pins-lock.js";
import { paint, useColour } from "../../scan/colour.js";
import { formatJson, formatSarif, formatText, summarise } from "../../scan/format-report.js";
import { defaultConfigPaths, importConfig, ImportError, IMPORT_SOURCES, type ImportSource } from "../../scan/import-configs.js";
import { scanServer } from "../../scan/scan-server.js";
import type { ScanTarget, ServerReport } from "../../scan/scan-types.js";
import type { CliIO, Command } from "../cli-io.js";
import { loadCliConfig } from "../load-cli-config.js";

export const SCAN_USAGE = `usage: portcullis scan [-c FILE | --import claude|cursor|vscode [FILE] | -- CMD [ARGS...]]
                       [--format text|json|sarif] [--fail-on low|medium|high|critical]
                       [--timeout SECONDS] [--state-dir DIR] [--no-model]

Starts each server, lists its tools, prompts and resource templates, and reports poisoned
descriptions and pin drift against pins.lock.json. Exit 1 when a finding is at or above
--fail-on (default high); servers that fail to start are reported, not fatal.`;

const FORMATS = ["text", "json", "sarif"] as const;
const FAIL_ON = ["low", "medium", "high", "critical"] as const;

/** `portcullis scan`: review the tool definitions of every server in a config before trusting them. */
export const scanCommand: Command = async (args, io) => {
  const dash = args.indexOf("--");
  const own = dash === -1 ? args : args.slice(0, dash);
  const command = dash === -1 ? [] : args.slice(dash + 1);
  const { values, positionals } = parseArgs({
    args: own,
    options: {
      config: { type: "string", short: "c" },
      import: { type: "string" },
      format: { type: "string", short: "f", default: "text" },
      "fail-on": { type: "string", default: "high" },
      timeout: { type: "string", default: "30" },
      "state-dir": { type: "string" },
      "no-model": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(`${SCAN_USAGE}\n`);
    return 0;
  }
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${values.format}".\n${SCAN_USAGE}`);
  const failOn = values["fail-on"] as (typeof FAIL_ON)[number];
  if (!FAIL_ON.includes(failOn)) throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(", ")}, got "${values["fail-on"]}".\n${SCAN_USAGE}`);
  const timeoutS = Number(values.timeout);
  if (!(timeoutS > 0)) throw new UsageError(`--timeout must be a positive number of seconds, got "${values.timeout}".`);
  const sources = [values.config !== undefined, values.import !== undefined, command.length > 0].filter(Boolean).length;
  if (sources > 1) throw new UsageError(`give one of -c FILE, --import SOURCE [FILE] or -- CMD.\n${SCAN_USAGE}`);
  if (dash !== -1 && command.length === 0) throw new UsageError(`no command after \`--\`.\n${SCAN_USAGE}`);
  if (positionals.length > (values.import !== undefined ? 1 : 0)) throw new UsageError(`unexpected argument "${positionals[values.import !== undefined ? 1 : 0]}".\n${SCAN_USAGE}`);

  const cfg = loadCliConfig({ config: values.config, stateDir: values["state-dir"] }, io.env, io.cwd);
  let targets: ScanTarget[];
  if (command.length > 0) {
    targets = [{ name: deriveServerName(command), command }];
  } else if (values.import !== undefined) {
    targets = importTargets(values.import, positionals[0], io);
  } else {
    if (!cfg.file) throw new UsageError(`nothing to scan: no portcullis.yaml here. Give -c FILE, --import claude|cursor|vscode, or -- CMD.\n${SCAN_USAGE}`);
    const lines = fs.readFileSync(cfg.file, "utf8").split("\n");
    targets = [...cfg.servers.values()].map((s) => {
      const line = lines.findIndex((l) => new RegExp(`^\\s*["']?${s.name.replace(/[-]/g, "\\-")}["']?\\s*:`).test(l)) + 1 || undefined;
      return { name: s.name, command: s.command, env: s.env, cwd: s.cwd, url: s.url, headers: s.headers, requireHttps: s.requireHttps, origin: { file: cfg.file!, line } };
    });
    if (targets.length === 0) throw new UsageError(`${cfg.file}: no servers under \`servers:\` to scan.`);
  }

  let lock: PinsLock | undefined;
  const lockFile = path.join(cfg.stateDir, "pins.lock.json");
  try {
    lock = readLock(lockFile);
  } catch (e) {
    io.stderr.write(`portcullis scan: ignoring ${lockFile}: ${(e as Error).message}\n`);
  }

  const progress = (io.stderr as { isTTY?: boolean }).isTTY === true && io.env.CI === undefined;
  let done = 0;
  const tick = (name?: string) => {
    if (progress) io.stderr.write(`\r\u001b[2K${name ? `[${done}/${targets.length}] scanning ${name}...` : ""}`);
  };
  const reports: ServerReport[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      const t = targets[i]!;
      tick(t.name);
      reports[i] = await scanServer(t, { timeoutMs: timeoutS * 1000, pins: lock?.servers[t.name], useModel: !values["no-model"] });
      done++;
      tick(t.name);
    }
  };
  await Promise.all(Array.from({ length: Math.min(3, targets.length) }, worker));
  tick();

  const report = summarise(reports);
  if (format === "json") io.stdout.write(formatJson(report));
  else if (format === "sarif") io.stdout.write(formatSarif(report, { cwd: io.cwd }));
  else io.stdout.write(formatText(report, paint(useColour(io.stdout, io.env))));
  const threshold = SEVERITY_RANK[failOn];
  return reports.some((r) => r.findings.some((f) => SEVERITY_RANK[f.severity] >= threshold)) ? 1 : 0;
};

function importTargets(source: string, file: string | undefined, io: CliIO): ScanTarget[] {
  if (!(IMPORT_SOURCES as readonly string[]).includes(source)) throw new UsageError(`--import takes one of ${IMPORT_SOURCES.join(", ")}, got "${source}".\n${SCAN_USAGE}`);
  const candidates = file !== undefined ? [path.resolve(io.cwd, file)] : defaultConfigPaths(source as ImportSource, { env: io.env, cwd: io.cwd, home: io.env.HOME || io.env.USERPROFILE || undefined });
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) throw new UsageError(`no ${source} MCP config found (looked at ${candidates.join(", ")}); give its path: --import ${source} FILE`);
  try {
    return importConfig(source as ImportSource, found, io.cwd);
  } catch (e) {
    if (e instanceof ImportError) throw new UsageError(e.message);
    throw e;
  }
}
