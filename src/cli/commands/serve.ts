import { parseArgs } from "node:util";
import { JsonlAuditLog } from "../../audit/jsonl-audit-log.js";
import { UsageError } from "../../errors/portcullis-error.js";
import { defaultLayers } from "../../layers/default-layers.js";
import { Pipeline } from "../../pipeline/pipeline.js";
import { startGateway, type GatewayRoute } from "../../transport/http/gateway.js";
import type { Command } from "../cli-io.js";
import { loadCliConfig } from "../load-cli-config.js";

const USAGE = "usage: portcullis serve [-c FILE] [--host H] [--port N] [--state-dir DIR]";
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** `portcullis serve`: the Streamable HTTP gateway in front of the config's stdio servers. */
export const serveCommand: Command = async (args, io) => {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: "string", short: "c" }, host: { type: "string" }, port: { type: "string" }, "state-dir": { type: "string" },
      "allow-origin": { type: "string", multiple: true }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const host = values.host ?? "127.0.0.1";
  const port = values.port === undefined ? 8747 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535 (got "${values.port}").\n${USAGE}`);
  if (!LOOPBACK.has(host)) {
    // Until API keys / OAuth are wired into serve, a non-loopback listener would be open to anyone.
    throw new UsageError(`refusing to listen on ${host}: serve has no authentication configured yet, so it binds to loopback only. Put a TLS-terminating, authenticating proxy in front, or use 127.0.0.1.`);
  }
  const cfg = loadCliConfig({ config: values.config, stateDir: values["state-dir"] }, io.env, io.cwd);
  if (cfg.servers.size === 0) throw new UsageError(`${cfg.file ?? "no config file"}: serve needs at least one server under \`servers:\` (see \`portcullis config init\`).`);
  const routes = new Map<string, GatewayRoute>();
  for (const s of cfg.servers.values()) routes.set(s.name, { server: s, pipeline: new Pipeline(defaultLayers(s, { stateDir: cfg.stateDir })) });
  const audit = new JsonlAuditLog(cfg.auditPath);
  const gw = await startGateway({ routes, audit, host, port, allowedOrigins: values["allow-origin"] ?? [] });
  io.stdout.write(`portcullis serve: listening on ${gw.url}\n`);
  for (const name of routes.keys()) io.stdout.write(`  ${gw.url}/mcp/${name}\n`);
  io.stdout.write(`  audit: ${cfg.auditPath}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await gw.close();
  await audit.close();
  return 0;
};
