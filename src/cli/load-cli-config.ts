import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfigFile, type LoadedConfig } from "../config/load-config.js";
import { resolveConfig, type ResolvedConfig } from "../config/resolve-config.js";

/**
 * Finds the config a command should use: `-c FILE`, else $PORTCULLIS_CONFIG, else ./portcullis.yaml
 * if present, else the embedded defaults. Without a config file, state lives in ./.portcullis, or in
 * ~/.portcullis when the working directory is not writable (desktop clients often start us in /).
 */
export function loadCliConfig(opts: { config?: string; stateDir?: string }, env: NodeJS.ProcessEnv, cwd: string): ResolvedConfig {
  const explicit = opts.config ?? env.PORTCULLIS_CONFIG;
  const implicit = path.join(cwd, "portcullis.yaml");
  let loaded: LoadedConfig;
  if (explicit) loaded = loadConfigFile(path.resolve(cwd, explicit), env);
  else if (fs.existsSync(implicit)) loaded = loadConfigFile(implicit, env);
  else loaded = { baseDir: writable(cwd) ? cwd : os.homedir(), raw: {} };
  return resolveConfig(loaded, { stateDir: opts.stateDir, env });
}

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
