import path from "node:path";
import { loadConfigFile, type LoadedConfig } from "../config/load-config.js";
import { describeIssue } from "../config/describe-issue.js";
import { resolveConfig, type ResolvedConfig } from "../config/resolve-config.js";
import { resolveServerPolicy } from "../config/resolve-server-policy.js";
import { configSchema, type RawConfig } from "../config/schema.js";
import type { ServerPolicy } from "../config/server-policy.js";
import { ConfigError } from "../errors/portcullis-error.js";

/** The object form of portcullis.yaml (same keys, same validation). */
export type PortcullisConfig = RawConfig;

/**
 * Where a guard's policy comes from: a config object (validated like the YAML file), a path to a
 * portcullis.yaml (read, `${VAR}`-interpolated, validated), or an already resolved config.
 */
export type GuardConfigInput = PortcullisConfig | string | ResolvedConfig;

export interface ResolveGuardConfigOptions {
  /** Directory relative paths (audit, state) resolve against when `config` is an object. Default: `process.cwd()`. */
  baseDir?: string;
  /** State directory override (audit log, store). */
  stateDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** Validates and resolves any accepted config form. Throws `ConfigError` naming the key that is wrong. */
export function resolveGuardConfig(input: GuardConfigInput | undefined, opts: ResolveGuardConfigOptions = {}): ResolvedConfig {
  const env = opts.env ?? process.env;
  if (isResolved(input)) return input;
  let loaded: LoadedConfig;
  if (typeof input === "string") {
    loaded = loadConfigFile(input, env);
  } else {
    const parsed = configSchema.safeParse(input ?? {});
    if (!parsed.success) {
      throw new ConfigError(parsed.error.issues.slice(0, 5).map((i) => `config: ${describeIssue(i)}`).join("\n"));
    }
    loaded = { baseDir: path.resolve(opts.baseDir ?? process.cwd()), raw: parsed.data };
  }
  return resolveConfig(loaded, { stateDir: opts.stateDir, env });
}

/**
 * The server entry a guard applies: the named one, else the only one, else an ad-hoc entry named
 * `name` (default "server") on the config's `defaults:`.
 */
export function selectServer(cfg: ResolvedConfig, name: string | undefined): ServerPolicy {
  if (name !== undefined) {
    const s = cfg.servers.get(name);
    if (s) return s;
    if (cfg.servers.size > 0) {
      throw new ConfigError(`${cfg.file ?? "config"}: no server named "${name}" under \`servers:\`; known: ${[...cfg.servers.keys()].join(", ")}`);
    }
    return resolveServerPolicy(name, {}, cfg.loaded.raw.defaults, cfg.baseDir);
  }
  if (cfg.servers.size === 1) return [...cfg.servers.values()][0]!;
  if (cfg.servers.size > 1) {
    throw new ConfigError(`${cfg.file ?? "config"}: the config has ${cfg.servers.size} servers (${[...cfg.servers.keys()].join(", ")}); pick one with the \`server\` option`);
  }
  return resolveServerPolicy("server", {}, cfg.loaded.raw.defaults, cfg.baseDir);
}

function isResolved(v: unknown): v is ResolvedConfig {
  return typeof v === "object" && v !== null && (v as { servers?: unknown }).servers instanceof Map && "loaded" in v;
}
