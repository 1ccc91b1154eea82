/**
 * What `/mcp` says about itself, merged from what each server said: capabilities, the `initialize`
 * result (2025-11-25) and the `server/discover` result (2026-07-28). Pure functions.
 */

export const AGGREGATE_SERVER_INFO = { name: "portcullis", title: "Portcullis (aggregated endpoint)", version: "0.1.0" } as const;

type Caps = Record<string, unknown>;

const obj = (v: unknown): Caps | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Caps) : undefined);
const anyFlag = (caps: readonly (Caps | undefined)[], flag: string) => caps.some((c) => c?.[flag] === true);

/**
 * The union of the servers' capabilities, limited to what `/mcp` can route: tools, prompts,
 * resources (subscribe when any server supports it), logging and completions. `tools.listChanged`
 * is always on: `/mcp` announces a change itself when a server drops out. Experimental and other
 * capabilities are not offered (there is no server to send them to); use `/mcp/<server>`.
 */
export function mergeCapabilities(all: readonly Caps[]): Caps {
  const out: Caps = {};
  const tools = all.map((c) => obj(c.tools)).filter((c) => c !== undefined);
  if (tools.length > 0) out.tools = { listChanged: true };
  const prompts = all.map((c) => obj(c.prompts)).filter((c) => c !== undefined);
  if (prompts.length > 0) out.prompts = { listChanged: anyFlag(prompts, "listChanged") };
  const resources = all.map((c) => obj(c.resources)).filter((c) => c !== undefined);
  if (resources.length > 0) out.resources = { subscribe: anyFlag(resources, "subscribe"), listChanged: anyFlag(resources, "listChanged") };
  if (all.some((c) => obj(c.logging))) out.logging = {};
  if (all.some((c) => obj(c.completions))) out.completions = {};
  return out;
}

/**
 * The `initialize` result for `/mcp`: the version the client asked for when some server agreed to
 * it (else the first server's answer), merged capabilities, Portcullis as the server, and each
 * server's instructions under its name.
 */
export function mergeInitialize(requested: unknown, answers: readonly { server: string; result: Caps }[]): Caps {
  const versions = answers.map((a) => a.result.protocolVersion).filter((v): v is string => typeof v === "string");
  const protocolVersion = typeof requested === "string" && versions.includes(requested) ? requested : (versions[0] ?? requested);
  const instructions = answers
    .filter((a) => typeof a.result.instructions === "string" && a.result.instructions.trim() !== "")
    .map((a) => `Server "${a.server}" (tools and prompts named ${a.server}__*):\n${String(a.result.instructions).trim()}`);
  const out: Caps = {
    protocolVersion,
    capabilities: mergeCapabilities(answers.map((a) => obj(a.result.capabilities) ?? {})),
    serverInfo: { ...AGGREGATE_SERVER_INFO },
  };
  if (instructions.length > 0) out.instructions = instructions.join("\n\n");
  return out;
}
