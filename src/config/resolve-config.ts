import path from "node:path";
import { ConfigError } from "../errors/portcullis-error.js";
import type { LoadedConfig } from "./load-config.js";
import { resolveServerPolicy } from "./resolve-server-policy.js";
import type { ServerPolicy } from "./server-policy.js";

/** Everything a command needs from the config, with paths made absolute. */
export interface ResolvedConfig {
  file?: string;
  baseDir: string;
  stateDir: string;
  auditPath: string;
  servers: Map<string, ServerPolicy>;
  loaded: LoadedConfig;
}

export function resolveConfig(loaded: LoadedConfig, opts: { stateDir?: string; env?: NodeJS.ProcessEnv } = {}): ResolvedConfig {
  const env = opts.env ?? process.env;
  const stateDir = path.resolve(loaded.baseDir, opts.stateDir ?? env.PORTCULLIS_STATE_DIR ?? ".portcullis");
  const auditPath = loaded.raw.audit?.path ? path.resolve(loaded.baseDir, loaded.raw.audit.path) : path.join(stateDir, "audit.jsonl");
  const servers = new Map<string, ServerPolicy>();
  for (const [name, raw] of Object.entries(loaded.raw.servers ?? {})) {
    servers.set(name, resolveServerPolicy(name, raw, loaded.raw.defaults, loaded.baseDir));
  }
  return { file: loaded.file, baseDir: loaded.baseDir, stateDir, auditPath, servers, loaded };
}

/**
 * Picks the server entry whose policy `wrap` applies: the named one, else the only one, else an
 * ad-hoc entry on the defaults (no config, or a config without servers).
 */
export function pickServer(cfg: ResolvedConfig, name: string | undefined, command: string[]): ServerPolicy {
  const where = cfg.file ?? "(embedded defaults)";
  if (name !== undefined) {
    const s = cfg.servers.get(name);
    if (!s) {
      const known = [...cfg.servers.keys()];
      throw new ConfigError(`${where}: no server named "${name}" under \`servers:\`${known.length ? `; known: ${known.join(", ")}` : " (the config has none)"}`);
    }
    return s;
  }
  if (cfg.servers.size === 1) return [...cfg.servers.values()][0]!;
  if (cfg.servers.size > 1) {
    throw new ConfigError(`${where}: the config has ${cfg.servers.size} servers (${[...cfg.servers.keys()].join(", ")}); pick one with --name`);
  }
  return resolveServerPolicy(deriveServerName(command), {}, cfg.loaded.raw.defaults, cfg.baseDir);
}

/** A readable name for a server run without a config entry: its npm package, else its script's name. */
export function deriveServerName(command: readonly string[]): string {
  for (const a of command) {
    const m = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(a) ?? /^((?:@[a-z0-9._-]+\/)?[a-z0-9._-]*(?:mcp|server)[a-z0-9._-]*)(?:@[^/]*)?$/i.exec(a);
    if (m) return clean(m[1]!.split(/[\\/]/).pop()!);
  }
  const script = command.slice(1).find((a) => !a.startsWith("-")) ?? command[0] ?? "server";
  return clean(script.split(/[\\/]/).pop()!.replace(/\.[cm]?[jt]s$/, ""));
}

const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, "_") || "server";
