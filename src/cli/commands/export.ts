import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "../../errors/portcullis-error.js";
import { buildAnthropicExport } from "../../export/anthropic.js";
import { loadExportConfig } from "../../export/load-export-config.js";
import { buildOpenAIExport } from "../../export/openai.js";
import type { Command } from "../cli-io.js";

export const EXPORT_USAGE = "usage: portcullis export openai|anthropic [-c FILE] [--server NAME]...";

/**
 * `portcullis export openai|anthropic`: prints the hosted-MCP configuration for a provider, derived
 * from the policy (JSON on stdout, ready to spread into the request). What the provider format
 * cannot express goes to stderr as warnings. Exit 0 ok, 1 nothing exportable, 2 usage/config error.
 */
export const exportCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs({
    args,
    options: { config: { type: "string", short: "c" }, server: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(`${EXPORT_USAGE}\n`);
    return 0;
  }
  const [target, ...extra] = positionals;
  if ((target !== "openai" && target !== "anthropic") || extra.length > 0) {
    throw new UsageError(target && extra.length === 0 ? `unknown export target "${target}"; use openai or anthropic.\n${EXPORT_USAGE}` : EXPORT_USAGE);
  }
  const explicit = values.config ?? io.env.PORTCULLIS_CONFIG;
  const file = explicit ? path.resolve(io.cwd, explicit) : path.join(io.cwd, "portcullis.yaml");
  if (!explicit && !fs.existsSync(file)) throw new UsageError(`no config: pass -c FILE or create ./portcullis.yaml (\`portcullis config init\`).\n${EXPORT_USAGE}`);
  const { config, headerTemplates } = loadExportConfig(file, io.env);
  const options = { servers: values.server, headerTemplates };
  const built = target === "openai" ? buildOpenAIExport(config, options) : buildAnthropicExport(config, options);
  for (const w of built.warnings) io.stderr.write(`portcullis export: warning: ${w}\n`);
  const count = "mcp_servers" in built.export ? built.export.mcp_servers.length : built.export.tools.length;
  if (count === 0) {
    io.stderr.write(`portcullis export: nothing to export from ${config.file}: no server is reachable by URL (servers.<name>.url).\n`);
    return 1;
  }
  io.stdout.write(JSON.stringify(built.export, null, 2) + "\n");
  return 0;
};
