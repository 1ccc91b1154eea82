import { parseArgs } from "node:util";
import { createBearerAuthenticator } from "../../auth/bearer-authenticator.js";
import { createServeAuth, parseOAuthConfig, TokenVerifier } from "../../auth/oauth/index.js";
import { openConfiguredStore } from "../../store/open-store.js";
import { ConfigError, UsageError } from "../../errors/portcullis-error.js";
import { upstreamProblem } from "../../transport/open-upstream.js";
import { defaultLayers } from "../../layers/default-layers.js";
import { preloadInjectionClassifiers } from "../../layers/injection/onnx-classifier-cache.js";
import { Pipeline } from "../../pipeline/pipeline.js";
import { startGateway, type GatewayRoute } from "../../transport/http/gateway.js";
import { openAuditLog } from "../audit-writer.js";
import type { Command } from "../cli-io.js";
import { loadCliConfig } from "../load-cli-config.js";
import { serveMetrics } from "../../metrics/serve-metrics.js";
import { serveApprovals } from "../../approvals/serve-approvals.js";

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
  const cfg = loadCliConfig({ config: values.config, stateDir: values["state-dir"] }, io.env, io.cwd);
  const apiKeys = cfg.loaded.raw.auth?.api_keys === true;
  const oauth = cfg.loaded.raw.auth?.oauth === undefined ? undefined : parseOAuthConfig(cfg.loaded.raw.auth.oauth, io.env); // docs/oauth.md
  if (!LOOPBACK.has(host) && !apiKeys && !oauth) {
    // Without authentication a non-loopback listener would be open to anyone who can reach it.
    throw new UsageError(`refusing to listen on ${host} without authentication: set \`auth: { api_keys: true }\` in ${cfg.file ?? "portcullis.yaml"} (and create keys with \`portcullis keys create\`) or \`auth.oauth\` (docs/oauth.md), or use 127.0.0.1.`);
  }
  if (cfg.servers.size === 0) throw new UsageError(`${cfg.file ?? "no config file"}: serve needs at least one server under \`servers:\` (see \`portcullis config init\`).`);
  // Refuse unusable upstreams now (no command or url; plain http to a non-loopback host), not at the first initialize.
  for (const s of cfg.servers.values()) {
    const problem = upstreamProblem(s);
    if (problem) throw new ConfigError(`${cfg.file ?? "config"}: ${problem}`);
  }
  // `injection.classifier` models load once, before listening, and are shared by every session.
  await preloadInjectionClassifiers(cfg.servers.values());
  const store = await openConfiguredStore(cfg);
  const routes = new Map<string, GatewayRoute>();
  for (const s of cfg.servers.values()) routes.set(s.name, { server: s, pipeline: new Pipeline(defaultLayers(s, { stateDir: cfg.stateDir, store, authenticated: apiKeys || oauth !== undefined })) });
  const audit = openAuditLog(cfg, io, { stdoutIsProtocol: false });
  const metrics = serveMetrics(cfg.loaded.raw.serve, audit, { host, env: io.env, servers: routes.keys() }); // serve.metrics: GET /metrics (docs/metrics.md)
  // OAuth admins (scope portcullis:approvals) may use the approval page's bearer API too.
  const oauthVerifier = oauth ? new TokenVerifier(oauth) : undefined;
  const verifyBearer = oauthVerifier ? async (t: string) => { const r = await oauthVerifier.verify(t, ""); return r.ok ? r.principal : undefined; } : undefined;
  const approvals = await serveApprovals(cfg, store, metrics?.audit ?? audit, routes, undefined, { verifyBearer }); // held calls + the /approvals page (docs/approvals.md)
  const serveAuth = createServeAuth({ apiKeys: apiKeys ? createBearerAuthenticator(store) : undefined, oauth, servers: [...routes.keys()] });
  const gw = await startGateway({
    routes, audit: metrics?.audit ?? audit, host, port,
    allowedOrigins: [...(cfg.loaded.raw.serve?.allowed_origins ?? []), ...(values["allow-origin"] ?? [])],
    maxSessions: cfg.loaded.raw.serve?.max_sessions,
    idleTimeoutMs: cfg.loaded.raw.serve?.idle_timeout_s !== undefined ? cfg.loaded.raw.serve.idle_timeout_s * 1000 : undefined,
    authenticate: serveAuth?.authenticate,
    checkStore: () => store.get("portcullis:ready-probe"),
    handlers: [...(metrics ? [metrics.handler] : []), ...(serveAuth?.handlers ?? []), approvals.handler],
  });
  metrics?.metrics.watchUpstreams(gw.upstreams); // portcullis_upstream_up / _restarts_total (docs/metrics.md)
  io.stdout.write(`portcullis serve: listening on ${gw.url}\n`);
  if (routes.size > 1) io.stdout.write(`  ${gw.url}/mcp  (every server, tools named <server>__<tool>: docs/aggregate.md)\n`);
  for (const name of routes.keys()) io.stdout.write(`  ${gw.url}/mcp/${name}\n`);
  io.stdout.write(`  audit: ${cfg.auditPath}\n  store: ${store.kind} ${store.location}\n  auth: ${serveAuth?.summary ?? "none (loopback only)"}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  approvals.close();
  await gw.close();
  await audit.close();
  await store.close();
  return 0;
};
