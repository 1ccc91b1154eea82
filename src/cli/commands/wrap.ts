import { createHash } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import { pickServer } from "../../config/resolve-config.js";
import { ConfigError, UsageError } from "../../errors/portcullis-error.js";
import { defaultLayers } from "../../layers/default-layers.js";
import { preloadInjectionClassifiers } from "../../layers/injection/onnx-classifier-cache.js";
import { Pipeline } from "../../pipeline/pipeline.js";
import { createApprovalBroker, openApprovalStore } from "../../approvals/setup.js";
import { openStore } from "../../store/open-store.js";
import { upstreamProblem } from "../../transport/open-upstream.js";
import { runStdioWrap } from "../../transport/stdio-wrap.js";
import { openAuditLog } from "../audit-writer.js";
import type { Command } from "../cli-io.js";
import { loadCliConfig } from "../load-cli-config.js";

export const WRAP_USAGE = "usage: portcullis wrap [-c FILE] [--name NAME] [--state-dir DIR] -- CMD [ARGS...]";

/** `portcullis wrap`: guard one stdio MCP server. Drop-in for the server command in a desktop client config. */
export const wrapCommand: Command = async (args, io) => {
  const dash = args.indexOf("--");
  const own = dash === -1 ? args : args.slice(0, dash);
  const command = dash === -1 ? [] : args.slice(dash + 1);
  const { values } = parseArgs({
    args: own,
    options: { config: { type: "string", short: "c" }, name: { type: "string" }, "state-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(`${WRAP_USAGE}\n`);
    return 0;
  }
  const cfg = loadCliConfig({ config: values.config, stateDir: values["state-dir"] }, io.env, io.cwd);
  const server = pickServer(cfg, values.name, command);
  if (command.length === 0 && !server.command?.length && !server.url) {
    throw new UsageError(`no server command: give one after \`--\` or set servers.${server.name}.command (or .url) in the config.\n${WRAP_USAGE}`);
  }
  const problem = upstreamProblem(server, command);
  if (problem) throw new ConfigError(`${cfg.file ?? "(embedded defaults)"}: ${problem}`);
  // An `injection.classifier` loads now (once, for the whole session), so a broken model stops wrap here.
  await preloadInjectionClassifiers([server]);
  // A stdio session is one process: its rate limits live in memory unless `store.url` asks to share them.
  const store = await openStore(cfg.loaded.raw.store?.url ?? "memory:", cfg.baseDir);
  const audit = openAuditLog(cfg, io, { stdoutIsProtocol: true });
  const caller = createHash("sha256").update(`local:${os.userInfo().username}`).digest("hex").slice(0, 16);
  // Held calls are settled by a person (issue 9): the approvals live in the state store, so
  // `portcullis approvals` and `serve`'s page can answer them.
  const approvalStore = await openApprovalStore(cfg, store);
  // Desktop clients show a server's stderr in their MCP logs: that is where a held call says how to approve it.
  const approvals = await createApprovalBroker(cfg, approvalStore.store, audit, { log: (l) => process.stderr.write(`portcullis: ${l}\n`) });
  // Audit the expiry of requests an earlier wrap held and could not watch to the end.
  await approvals.sweepExpired().catch((e: unknown) => process.stderr.write(`portcullis: approval expiry sweep failed: ${(e as Error).message}\n`));
  const code = await runStdioWrap({ server, command, pipeline: new Pipeline(defaultLayers(server, { stateDir: cfg.stateDir, store })), audit, caller, stdin: io.stdin, stdout: io.stdout, approvals });
  if (approvalStore.owned) await approvalStore.store.close();
  await audit.close();
  await store.close();
  return code;
};
