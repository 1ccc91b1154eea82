import type { AuditLog } from "../audit/audit-record.js";
import { JsonlAuditLog } from "../audit/jsonl-audit-log.js";
import type { ResolvedConfig } from "../config/resolve-config.js";
import type { ServerPolicy } from "../config/server-policy.js";
import { defaultLayers, type LayerDeps } from "../layers/default-layers.js";
import type { Layer } from "../pipeline/layer.js";
import { Pipeline } from "../pipeline/pipeline.js";
import { ApprovingPipeline, type Approver } from "./approving-pipeline.js";
import { resolveGuardConfig, selectServer, type GuardConfigInput } from "./guard-config.js";
import { GuardedTransport } from "./guarded-transport.js";
import type { McpTransport } from "./mcp-transport.js";

export interface GuardOptions {
  /** Which `servers:` entry applies. Default: the only one; with none, the config's `defaults:`. */
  server?: string;
  /**
   * Where decisions are recorded: an AuditLog (e.g. `MemoryAuditLog`), a JSONL file path, or
   * `false` for none. Default: the config's audit path (`.portcullis/audit.jsonl` beside it).
   */
  audit?: AuditLog | string | false;
  /** Replaces the default layers (the same set `portcullis wrap` uses). */
  layers?: readonly Layer[] | ((server: ServerPolicy, deps: LayerDeps) => Layer[]);
  /** Extra dependencies for the default layers (e.g. `store` to enable rate limits). */
  layerDeps?: Partial<LayerDeps>;
  /** Layers added after the defaults (custom checks; ordered by `pipeline/layer-order.ts`). */
  extraLayers?: readonly Layer[];
  /**
   * Settles requests a layer put on hold (calls needing approval). Without it they are refused
   * with `APPROVAL_REQUIRED` (fail closed). `wrap(t, { approve })` overrides it per connection.
   */
  approve?: Approver;
  /** How long an approver may take before the call is refused. Default 120 000 ms. */
  approvalTimeoutMs?: number;
  /** How long a layer may take before it counts as failed (and denies). Default 2000 ms. */
  layerTimeoutMs?: number;
  /** Base directory for relative paths when `config` is an object. Default `process.cwd()`. */
  baseDir?: string;
  /** State directory (audit log, store). Default `.portcullis/` beside the config. */
  stateDir?: string;
  /** Hashed caller identity written on audit lines. */
  caller?: string;
  /** Operator diagnostics. */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface WrapOptions {
  /** Approver for this connection only (e.g. the agent runner's confirmation gate). */
  approve?: Approver;
}

/** The whole Portcullis pipeline, in-process. */
export interface Guard {
  /** The resolved configuration. */
  readonly config: ResolvedConfig;
  /** The effective policy of the guarded server. */
  readonly server: ServerPolicy;
  /** The layers every wrapped connection runs (shared; their state lives in each session). */
  readonly layers: readonly Layer[];
  /** Where decisions are recorded. */
  readonly audit: AuditLog;
  /**
   * Guards one connection: returns a transport to hand to an SDK `Client.connect()` in place of
   * `transport`. Each wrapped transport is one session (call caps, tool catalog).
   */
  wrap(transport: McpTransport, options?: WrapOptions): GuardedTransport;
  /** Closes every wrapped transport, then the audit log if the guard opened it. */
  close(): Promise<void>;
}

/**
 * Builds a guard from a config (object, YAML path, or resolved config). The same layers, relay and
 * audit as `portcullis wrap`, without a proxy process: wrap your SDK transport and connect.
 *
 * @example
 * const guard = createGuard("portcullis.yaml", { server: "files" });
 * await client.connect(guard.wrap(new StdioClientTransport({ command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/srv/docs"] })));
 */
export function createGuard(config?: GuardConfigInput, options: GuardOptions = {}): Guard {
  const cfg = resolveGuardConfig(config, { baseDir: options.baseDir, stateDir: options.stateDir, env: options.env });
  const server = selectServer(cfg, options.server);
  const deps: LayerDeps = { ...options.layerDeps, stateDir: options.layerDeps?.stateDir ?? cfg.stateDir };
  const base = typeof options.layers === "function" ? options.layers(server, deps) : options.layers ? [...options.layers] : defaultLayers(server, deps);
  const layers = [...base, ...(options.extraLayers ?? [])];
  new Pipeline(layers); // validates names up front (duplicates throw here, not on the first message)
  const ownsAudit = options.audit === undefined || typeof options.audit === "string";
  const audit: AuditLog = options.audit === false ? new NullAudit() : typeof options.audit === "object" ? options.audit : new JsonlAuditLog(options.audit ?? cfg.auditPath);
  const open = new Set<GuardedTransport>();

  return {
    config: cfg,
    server,
    layers,
    audit,
    wrap(transport, wrapOptions = {}) {
      const approve = wrapOptions.approve ?? options.approve;
      const pipelineOptions = { layerTimeoutMs: options.layerTimeoutMs };
      const pipeline = approve
        ? new ApprovingPipeline(layers, approve, audit, server.name, options.approvalTimeoutMs ?? 120_000, pipelineOptions)
        : new Pipeline(layers, pipelineOptions);
      const t = new GuardedTransport(transport, { server, pipeline, audit, caller: options.caller, log: options.log }, (done) => open.delete(done));
      open.add(t);
      return t;
    },
    async close() {
      await Promise.allSettled([...open].map((t) => t.close()));
      if (ownsAudit) await audit.close();
    },
  };
}

/** `audit: false`: nothing is recorded, and the guard never fails closed for want of a log. */
class NullAudit implements AuditLog {
  readonly healthy = true;
  private n = 0;
  record(): string {
    return `au_none_${++this.n}`;
  }
  flush(): void {}
  async close(): Promise<void> {}
}

/** Guards one transport with a one-off guard: `client.connect(guardTransport(inner, { config }))`. */
export function guardTransport(inner: McpTransport, options: GuardOptions & { config?: GuardConfigInput } = {}): GuardedTransport {
  const { config, ...rest } = options;
  const guard = createGuard(config, rest);
  const t = guard.wrap(inner);
  const closeTransport = t.close.bind(t);
  // The guard exists for this transport alone: closing one closes the other (and its audit log).
  t.close = async () => {
    await closeTransport();
    await guard.close();
  };
  return t;
}
