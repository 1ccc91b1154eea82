/**
 * Names on the aggregated `/mcp` endpoint: `<server>__<tool>` (and `<server>__<prompt>`).
 *
 * The name is split at the FIRST `__`. That is unambiguous because a server name may neither contain
 * `__` nor end with `_` (the config schema refuses both): the first `__` in `<server>__<tool>` then
 * always starts right after the server name, whatever the tool name contains. Names that could not
 * be read back this way, or that clients may refuse (outside A-Z a-z 0-9 _ . -, or longer than 128
 * characters, the MCP tool-name guidance), are not offered on `/mcp` at all; they stay reachable on
 * `/mcp/<server>`.
 */
export const NAMESPACE_SEPARATOR = "__";
/** MCP's guidance for tool names (SEP-986): 1 to 128 characters. */
export const MAX_NAMESPACED_LENGTH = 128;

const SERVER_NAME = /^[A-Za-z0-9_-]+$/;
const ITEM_NAME = /^[A-Za-z0-9_.-]+$/;

/** Why a server cannot be part of `/mcp` under this name, or undefined. */
export function serverNameProblem(server: string): string | undefined {
  if (!SERVER_NAME.test(server)) return `server name ${JSON.stringify(server)} uses characters other than letters, digits, _ and -`;
  if (server.includes(NAMESPACE_SEPARATOR)) return `server name "${server}" contains "${NAMESPACE_SEPARATOR}"`;
  if (server.endsWith("_")) return `server name "${server}" ends with "_"`;
  return undefined;
}

export type NamespacedName = { ok: true; name: string } | { ok: false; reason: string };

/** `<server>__<name>`, or why this item cannot be offered on `/mcp`. */
export function namespaceName(server: string, name: string): NamespacedName {
  const bad = serverNameProblem(server);
  if (bad) return { ok: false, reason: bad };
  if (!ITEM_NAME.test(name)) return { ok: false, reason: `the name ${JSON.stringify(name.slice(0, 80))} is empty or uses characters other than A-Z a-z 0-9 _ . -` };
  const full = `${server}${NAMESPACE_SEPARATOR}${name}`;
  if (full.length > MAX_NAMESPACED_LENGTH) return { ok: false, reason: `"${full.slice(0, 60)}…" would be ${full.length} characters (the limit is ${MAX_NAMESPACED_LENGTH})` };
  return { ok: true, name: full };
}

/**
 * The server and original name behind a namespaced name, or undefined when it is not one
 * namespaceName could have produced (no `__`, empty parts, bad characters, too long).
 */
export function splitNamespaced(full: string): { server: string; name: string } | undefined {
  const at = full.indexOf(NAMESPACE_SEPARATOR);
  if (at <= 0) return undefined;
  const server = full.slice(0, at);
  const name = full.slice(at + NAMESPACE_SEPARATOR.length);
  const back = namespaceName(server, name);
  return back.ok && back.name === full ? { server, name } : undefined;
}
