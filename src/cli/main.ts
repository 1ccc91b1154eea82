import { PortcullisError } from "../errors/portcullis-error.js";
import type { CliIO, Command } from "./cli-io.js";
import { auditCommand } from "./commands/audit.js";
import { configCommand } from "./commands/config.js";
import { detectCommand } from "./commands/detect.js";
import { exportCommand } from "./commands/export.js";
import { pinsCommand } from "./commands/pins.js";
import { redactCommand } from "./commands/redact.js";
import { scanCommand } from "./commands/scan.js";
import { wrapCommand } from "./commands/wrap.js";

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  wrap: { run: wrapCommand, summary: "wrap [-c FILE] [--name NAME] -- CMD [ARGS...]   guard one stdio MCP server" },
  // Loaded on demand: the gateway pulls in the HTTP side of the MCP SDK, which `wrap` never needs.
  serve: { run: async (a, io) => (await import("./commands/serve.js")).serveCommand(a, io), summary: "serve [-c FILE] [--host H] [--port N] [--state-dir DIR]   Streamable HTTP gateway (MCP 2025-11-25 sessions and 2026-07-28 stateless)" },
  detect: { run: detectCommand, summary: "detect [--kind output|description|prompt] [--jsonl] [--classifier M.onnx --tokenizer T.json]   prompt-injection verdicts for stdin" },
  redact: { run: redactCommand, summary: "redact [--json] [--pii] [--keys K,..] [--keep K,..]   replace secrets in stdin with [REDACTED:<type>]" },
  scan: { run: scanCommand, summary: "scan [-c FILE | --import claude|cursor|vscode [FILE] | -- CMD] [--format text|json|sarif] [--fail-on SEV]   review servers' tool descriptions" },
  pins: { run: pinsCommand, summary: "pins list | diff [SERVER] | approve SERVER[/TOOL] | forget SERVER[/TOOL]   tool-definition pins (rug pulls)" },
  audit: { run: auditCommand, summary: "audit verify [FILE] | report [--since 24h] [--format text|json|html] | export | prune   prove and read the audit log" },
  export: { run: exportCommand, summary: "export openai|anthropic [-c FILE] [--server NAME]   hosted-MCP tool config for the OpenAI / Anthropic APIs" },
  config: { run: configCommand, summary: "config init | check [FILE] | schema               write, validate or describe portcullis.yaml" },
  keys: { run: async (a, io) => (await import("./commands/keys.js")).keysCommand(a, io), summary: "keys create --name N [--scopes S,..] [--rate 60/min] [--expires 30d] | list | revoke ID   API keys for serve" },
  approvals: { run: async (a, io) => (await import("./commands/approvals.js")).approvalsCommand(a, io), summary: "approvals list | approve ID [--for-session] | deny ID [--reason R]   answer calls held for human approval" },
};

const HELP = `Portcullis: a security gateway for MCP servers.

usage: portcullis <command> [options]

commands:
${Object.values(COMMANDS).map((c) => {
  const [usage, what] = c.summary.split(/\s{2,}/);
  return `  portcullis ${usage}\n      ${what ?? ""}`;
}).join("\n")}

Exit codes: 0 ok, 1 findings or denials, 2 usage or config error.
Docs: README.md, docs/ (config.md, errors.md, architecture.md, one page per layer).
`;

/** Runs one CLI invocation and returns its exit code. Errors become messages, never stack traces. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(HELP);
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v") {
    io.stdout.write("portcullis 0.1.0\n");
    return 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.stderr.write(`portcullis: unknown command "${name}"; run \`portcullis --help\` for the list.\n`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof PortcullisError) {
      io.stderr.write(`portcullis: ${e.message}\n`);
      return 2;
    }
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      io.stderr.write(`portcullis ${name}: ${e.message}\n`);
      return 2;
    }
    io.stderr.write(`portcullis: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

