import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ScanTarget } from "./scan-types.js";

export type ImportSource = "claude" | "cursor" | "vscode";
export const IMPORT_SOURCES: readonly ImportSource[] = ["claude", "cursor", "vscode"];

/** Where each desktop client keeps its MCP servers, most specific first (project, then user). */
export function defaultConfigPaths(source: ImportSource, opts: { platform?: NodeJS.Platform; home?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): string[] {
  const platform = opts.platform ?? process.platform;
  const home = opts.home ?? os.homedir();
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const appData = env.APPDATA ?? path.join(home, "AppData", "Roaming");
  const userConfig = platform === "darwin" ? path.join(home, "Library", "Application Support") : platform === "win32" ? appData : (env.XDG_CONFIG_HOME ?? path.join(home, ".config"));
  switch (source) {
    case "claude":
      return [path.join(userConfig, "Claude", "claude_desktop_config.json")];
    case "cursor":
      return [path.join(cwd, ".cursor", "mcp.json"), path.join(home, ".cursor", "mcp.json")];
    case "vscode":
      return [path.join(cwd, ".vscode", "mcp.json"), path.join(userConfig, "Code", "User", "mcp.json"), path.join(userConfig, "Code", "User", "settings.json")];
  }
}

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImportError";
  }
}

/**
 * Reads the MCP servers of a Claude Desktop, Cursor or VS Code config. Claude and Cursor use
 * `mcpServers`; VS Code uses `servers` (mcp.json) or `mcp.servers` (settings.json). A server already
 * behind `portcullis wrap -- CMD` is scanned as CMD, the server itself.
 */
export function importConfig(source: ImportSource, file: string, cwd = path.dirname(file)): ScanTarget[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ImportError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(source === "vscode" ? stripJsonComments(text) : text) as Record<string, unknown>;
  } catch (e) {
    throw new ImportError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const servers = (raw?.mcpServers ?? raw?.servers ?? (raw?.mcp as Record<string, unknown> | undefined)?.servers ?? (raw?.["mcp.servers"] as unknown)) as Record<string, unknown> | undefined;
  if (!servers || typeof servers !== "object") throw new ImportError(`${file}: no MCP servers found (expected ${source === "vscode" ? '"servers"' : '"mcpServers"'})`);
  const lines = text.split("\n");
  const workspace = source === "vscode" && path.basename(path.dirname(file)) === ".vscode" ? path.dirname(path.dirname(file)) : cwd;
  const out: ScanTarget[] = [];
  for (const [name, v] of Object.entries(servers)) {
    const s = v as { command?: unknown; args?: unknown; env?: unknown; cwd?: unknown; url?: unknown; type?: unknown };
    const line = lines.findIndex((l) => l.includes(JSON.stringify(name))) + 1 || undefined;
    const origin = { file, line };
    const vars = (x: string) => x.replace(/\$\{workspaceFolder\}/g, workspace).replace(/\$\{userHome\}/g, os.homedir()).replace(/^~(?=\/|$)/, os.homedir());
    if (typeof s?.command !== "string") {
      out.push({ name, url: typeof s?.url === "string" ? s.url : undefined, origin });
      continue;
    }
    const args = Array.isArray(s.args) ? s.args.filter((a): a is string => typeof a === "string").map(vars) : [];
    const env = s.env && typeof s.env === "object" ? Object.fromEntries(Object.entries(s.env as Record<string, unknown>).filter(([, x]) => typeof x === "string").map(([k, x]) => [k, vars(x as string)])) : undefined;
    out.push({ name, command: unwrapPortcullis([vars(s.command), ...args]), env, cwd: typeof s.cwd === "string" ? vars(s.cwd) : undefined, origin });
  }
  return out;
}

/** `... portcullis wrap [opts] -- CMD ARGS` → CMD ARGS; anything else unchanged. */
export function unwrapPortcullis(command: string[]): string[] {
  const wrap = command.findIndex((a, i) => a === "wrap" && i > 0 && /portcullis|bin\.js/.test(command.slice(0, i).join(" ")));
  if (wrap === -1) return command;
  const dash = command.indexOf("--", wrap);
  return dash === -1 || dash === command.length - 1 ? command : command.slice(dash + 1);
}

/** JSONC → JSON: drops // and /* *\/ comments and trailing commas, leaving strings alone. */
export function stripJsonComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out.replace(/,(\s*[}\]])/g, "$1");
}
