import type { ResolvedConfig } from "../config/resolve-config.js";
import type { ServerPolicy } from "../config/server-policy.js";
import { redactText } from "../layers/redaction/redact-text.js";
import { decideTrust } from "../layers/server-trust/decide-trust.js";
import { decideToolAccess } from "../layers/tool-policy/decide-tool-access.js";
import { ToolCatalog } from "../pipeline/tool-catalog.js";

/** How a hosted provider should treat one tool: run it freely, or only after approval. */
export type HostedApproval = "never" | "always";

/** One server as a hosted-MCP provider would see it, derived from the Portcullis policy. */
export interface HostedServerPlan {
  name: string;
  url: string;
  /** Header templates; secrets are `${VAR}` placeholders, never values. */
  headers: Record<string, string>;
  /**
   * The exact tools to expose and whether each needs approval. `undefined` = the config names no
   * closed set (no `tools.allow`, nothing it could not express): every tool the server offers.
   */
  tools?: { name: string; approval: HostedApproval }[];
  /** Tools named in config that are exposed even though the set is open (approval exceptions). */
  named: { name: string; approval: HostedApproval }[];
  /** For an open set: what unnamed tools need (by trust). */
  openDefault: HostedApproval;
}

export interface HostedPlan {
  servers: HostedServerPlan[];
  /** Everything the provider format cannot express, and servers skipped; print these. */
  warnings: string[];
}

export interface PlanOptions {
  /** Only these servers (default: all). */
  servers?: readonly string[];
  /**
   * Header templates per server as written in the config file, before `${VAR}` expansion (the
   * CLI reads them from the YAML text). Without them, configured header values are masked.
   */
  headerTemplates?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Tool names a server is known to offer (e.g. from a listing), to expand `tools.allow` globs. */
  knownTools?: Readonly<Record<string, readonly string[]>>;
}

const GLOB_CHARS = /[*?{}[\]!()+@]/;
const SECRET_HEADER = /auth|token|key|secret|cookie|session|passw|credential|signature/i;

/**
 * Derives the hosted-MCP view of each server: URL, header templates, the exact tools a provider
 * may call and which of them need approval, using the same decisions the gateway makes
 * (tool policy, then trust). Where the provider cannot express a rule (deny globs, prefixes,
 * max_tools), the export falls back to the tools config names exactly and says so: fail closed.
 */
export function planHostedServers(cfg: ResolvedConfig, options: PlanOptions = {}): HostedPlan {
  const warnings: string[] = [];
  const servers: HostedServerPlan[] = [];
  const wanted = options.servers ? new Set(options.servers) : undefined;
  if (wanted) for (const n of wanted) if (!cfg.servers.has(n)) warnings.push(`no server named "${n}" in the config`);
  for (const policy of cfg.servers.values()) {
    if (wanted && !wanted.has(policy.name)) continue;
    const url = hostedUrl(cfg, policy, warnings);
    if (url === undefined) continue;
    const headers = headerTemplates(policy, options.headerTemplates?.[policy.name]);
    servers.push({ name: policy.name, url, headers, ...planTools(policy, options.knownTools?.[policy.name] ?? [], warnings) });
  }
  return { servers, warnings };
}

function hostedUrl(cfg: ResolvedConfig, policy: ServerPolicy, warnings: string[]): string | undefined {
  // `public_url` is a proposed schema field (where providers reach this server through `portcullis serve`).
  const raw = cfg.loaded.raw.servers?.[policy.name] as Record<string, unknown> | undefined;
  const publicUrl = typeof raw?.public_url === "string" ? raw.public_url : undefined;
  const url = publicUrl ?? policy.url;
  if (url === undefined) {
    warnings.push(`server "${policy.name}": skipped; it runs over stdio (\`command\`) and hosted providers only reach MCP servers by URL (give it a public URL through \`portcullis serve\`)`);
    return undefined;
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed && parsed.protocol !== "https:") warnings.push(`server "${policy.name}": ${url} is not HTTPS; hosted providers require a public https:// URL`);
  else if (parsed && /^(localhost|127\.|\[::1\])/.test(parsed.hostname)) warnings.push(`server "${policy.name}": ${url} is a loopback address the provider cannot reach`);
  if (publicUrl === undefined) {
    warnings.push(`server "${policy.name}": the provider will call ${url} directly, so only what this export expresses (tool list, approval) applies; Portcullis layers (arguments, caps, redaction, audit) apply only if the URL points at \`portcullis serve\``);
  }
  return url;
}

function headerTemplates(policy: ServerPolicy, templates: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const source = templates ?? policy.headers ?? {};
  for (const [name, value] of Object.entries(source)) out[name] = placeholderFor(policy.name, name, value);
  return out;
}

/** Keeps `${VAR}` references; replaces literal secret values with a `${PORTCULLIS_<SERVER>_<HEADER>}` placeholder. */
export function placeholderFor(server: string, header: string, value: string): string {
  if (value.includes("${")) return value;
  const secretName = SECRET_HEADER.test(header);
  const detected = redactText(value).findings.length > 0;
  if (!secretName && !detected) return value;
  const variable = `\${PORTCULLIS_${`${server}_${header}`.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}}`;
  const scheme = /^(Bearer|Basic|Token|Bot)\s+/i.exec(value);
  return scheme ? `${scheme[0]}${variable}` : variable;
}

function planTools(policy: ServerPolicy, known: readonly string[], warnings: string[]): Pick<HostedServerPlan, "tools" | "named" | "openDefault"> {
  const t = policy.tools;
  const where = `server "${policy.name}"`;
  const exact = (list: readonly string[] | undefined) => (list ?? []).filter((n) => !GLOB_CHARS.test(n));
  const globs = (t.allow ?? []).filter((n) => GLOB_CHARS.test(n));
  const candidates = [...new Set([...exact(t.allow), ...Object.keys(t.policies), ...exact(t.readOnly), ...known])];
  // Name-level decisions only: max_tools depends on the upstream's order, which an export cannot know.
  const staticPolicy: ServerPolicy = { ...policy, tools: { ...t, maxTools: undefined } };
  const catalog = new ToolCatalog();
  catalog.observe(candidates.map((name) => ({ name })), true, true);
  const named: { name: string; approval: HostedApproval }[] = [];
  for (const name of candidates) {
    if (decideToolAccess(name, staticPolicy, catalog).kind !== "allow") continue;
    const d = decideTrust(name, undefined, staticPolicy);
    if (d.kind === "deny") continue;
    named.push({ name, approval: d.kind === "allow" ? "never" : "always" });
  }
  const unnamedDefault = decideTrust("\u0000unnamed", undefined, staticPolicy);
  const openDefault: HostedApproval = unnamedDefault.kind === "allow" ? "never" : "always";

  const inexpressible: string[] = [];
  if (globs.length > 0) inexpressible.push(`tools.allow globs ${globs.join(", ")}`);
  if (t.allow === undefined && t.deny.length > 0) inexpressible.push(`tools.deny ${t.deny.join(", ")}`);
  if (t.requirePrefix !== undefined) inexpressible.push(`tools.require_prefix "${t.requirePrefix}"`);
  if (t.maxTools !== undefined) inexpressible.push(`tools.max_tools ${t.maxTools}`);
  if (policy.trust === "untrusted" && t.allow === undefined) inexpressible.push("trust untrusted (only tools declared read-only may run)");
  const closed = t.allow !== undefined || inexpressible.length > 0;
  if (inexpressible.length > 0) {
    warnings.push(`${where}: ${inexpressible.join("; ")} cannot be expressed in a hosted tool list; exporting only the tools the config names exactly${named.length ? ` (${named.map((n) => n.name).join(", ")})` : ""}`);
  }
  if (closed && named.length === 0) warnings.push(`${where}: no tool can be exported (name tools under tools.allow or tools.policies); the server is exported with no tools enabled`);
  return closed ? { tools: named, named, openDefault } : { tools: undefined, named, openDefault };
}
