import fs from "node:fs";
import { parse } from "yaml";
import { loadConfigFile } from "../config/load-config.js";
import { resolveConfig, type ResolvedConfig } from "../config/resolve-config.js";

/**
 * Loads a config for export. `${VAR}` references that are unset stay as placeholders instead of
 * failing, and header values are taken from the file as written (before expansion), so an export
 * never contains a secret from the environment.
 */
export function loadExportConfig(file: string, env: NodeJS.ProcessEnv = process.env): { config: ResolvedConfig; headerTemplates: Record<string, Record<string, string>> } {
  const lenient = new Proxy(env, {
    get: (target, name) => (typeof name === "string" ? (target[name] !== undefined && target[name] !== "" ? target[name] : `\${${name}}`) : undefined),
  });
  const loaded = loadConfigFile(file, lenient);
  const config = resolveConfig(loaded, { env });
  const headerTemplates: Record<string, Record<string, string>> = {};
  let raw: unknown;
  try {
    raw = parse(fs.readFileSync(loaded.file!, "utf8"));
  } catch {
    raw = undefined; // already validated above; a second parse cannot fail differently
  }
  const servers = (raw as { servers?: Record<string, { headers?: Record<string, unknown> }> } | undefined)?.servers ?? {};
  for (const [name, s] of Object.entries(servers)) {
    if (!s?.headers) continue;
    headerTemplates[name] = Object.fromEntries(Object.entries(s.headers).map(([k, v]) => [k, String(v)]));
  }
  return { config, headerTemplates };
}
