import type { ServerPolicy } from "../config/server-policy.js";
import { ConfigError } from "../errors/portcullis-error.js";
import { RemoteUpstream, remoteUrlProblem } from "./remote-upstream.js";
import { UpstreamConnection, type UpstreamEvents } from "./upstream-connection.js";

/** What the relay needs of an upstream, stdio or remote. */
export interface Upstream {
  write(line: string): void;
  batch(fn: () => void): void;
  stop(signal?: boolean): void;
}

/** Why this server cannot be opened as an upstream (no command or url, a refused url), or undefined. */
export function upstreamProblem(server: ServerPolicy, command?: readonly string[]): string | undefined {
  if (command && command.length > 0) return undefined;
  if (server.command && server.command.length > 0) return undefined;
  if (server.url) {
    const p = remoteUrlProblem(server.url, server.requireHttps);
    return p && `servers.${server.name}: ${p}`;
  }
  return `servers.${server.name} has neither \`command\` nor \`url\``;
}

/**
 * The upstream for one server: a stdio child for `command` (or an explicit command, as `wrap -- CMD`
 * gives), a Streamable HTTP client for `url` with the config's `headers` as its only credentials.
 * Throws ConfigError when neither is usable.
 */
export function openUpstream(server: ServerPolicy, opts: { command?: readonly string[]; graceMs?: number; stderr?: (chunk: Buffer) => void }, events: UpstreamEvents): Upstream {
  const command = opts.command && opts.command.length > 0 ? opts.command : server.command;
  if (command && command.length > 0) {
    return new UpstreamConnection(command, { env: server.env, cwd: server.cwd, maxLineBytes: server.maxResponseBytes, graceMs: opts.graceMs, stderr: opts.stderr }, events);
  }
  const problem = upstreamProblem(server);
  if (problem || !server.url) throw new ConfigError(problem ?? `servers.${server.name} has neither \`command\` nor \`url\``);
  return new RemoteUpstream(server.url, { headers: server.headers, maxLineBytes: server.maxResponseBytes, requireHttps: server.requireHttps, graceMs: opts.graceMs }, events);
}

/** How logs name the upstream. */
export function describeUpstream(server: ServerPolicy, command?: readonly string[]): string {
  const c = command && command.length > 0 ? command : server.command;
  return c && c.length > 0 ? c.join(" ") : (server.url ?? server.name);
}
