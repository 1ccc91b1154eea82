import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";

export type UpstreamChild = ChildProcessByStdio<Writable, Readable, Readable | null>;

/**
 * Starts a stdio MCP server. Its stderr is inherited so the server's own diagnostics reach the
 * desktop client's log unchanged (`stderr: "pipe"` hands it to the caller instead, as `serve` does to
 * prefix it with the server name); its environment is ours plus the config's `env`.
 */
export function spawnUpstream(command: readonly string[], opts: { env?: Record<string, string>; cwd?: string; stderr?: "inherit" | "pipe" } = {}): UpstreamChild {
  const [cmd, ...args] = command;
  if (!cmd) throw new Error("no upstream command given");
  return spawn(cmd, args, {
    stdio: ["pipe", "pipe", opts.stderr ?? "inherit"],
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
    windowsHide: true,
  }) as UpstreamChild;
}
