import type { ResolvedConfig } from "../config/resolve-config.js";
import { planHostedServers, type HostedServerPlan, type PlanOptions } from "./plan-hosted.js";

/** The MCP connector beta Portcullis targets (servers in `mcp_servers`, tool choice in `mcp_toolset`). */
export const ANTHROPIC_MCP_BETA = "mcp-client-2025-11-20";

/** An `mcp_servers[]` entry (mirrors `BetaRequestMCPServerURLDefinition`). */
export interface AnthropicMcpServer {
  type: "url";
  name: string;
  url: string;
  /** OAuth bearer token as a `${VAR}` placeholder. */
  authorization_token?: string;
}

/** A `tools[]` entry of type `mcp_toolset` (mirrors `BetaMCPToolset`). */
export interface AnthropicMcpToolset {
  type: "mcp_toolset";
  mcp_server_name: string;
  default_config: { enabled: boolean };
  configs?: Record<string, { enabled: boolean }>;
}

/** Ready to spread into `client.beta.messages.create({ ...exported, model, max_tokens, messages })`. */
export interface AnthropicExport {
  betas: [typeof ANTHROPIC_MCP_BETA];
  mcp_servers: AnthropicMcpServer[];
  tools: AnthropicMcpToolset[];
}

/**
 * `portcullis export anthropic`: the Messages API MCP connector configuration. The connector has no
 * approval step, so a tool that needs approval under the policy is disabled (fail closed); it has
 * no arbitrary headers, so only an `Authorization: Bearer` header becomes `authorization_token`.
 */
export function buildAnthropicExport(cfg: ResolvedConfig, options: PlanOptions = {}): { export: AnthropicExport; warnings: string[] } {
  const plan = planHostedServers(cfg, options);
  const warnings = [...plan.warnings];
  const out: AnthropicExport = { betas: [ANTHROPIC_MCP_BETA], mcp_servers: [], tools: [] };
  for (const s of plan.servers) {
    out.mcp_servers.push(anthropicServer(s, warnings));
    out.tools.push(anthropicToolset(s, warnings));
  }
  return { export: out, warnings };
}

function anthropicServer(s: HostedServerPlan, warnings: string[]): AnthropicMcpServer {
  const server: AnthropicMcpServer = { type: "url", name: s.name, url: s.url };
  for (const [header, value] of Object.entries(s.headers)) {
    const bearer = /^authorization$/i.test(header) ? /^Bearer\s+(.+)$/i.exec(value) : null;
    if (bearer) server.authorization_token = bearer[1]!;
    else warnings.push(`server "${s.name}": header ${header} is not sent; the Anthropic MCP connector only passes an OAuth bearer token (authorization_token)`);
  }
  return server;
}

function anthropicToolset(s: HostedServerPlan, warnings: string[]): AnthropicMcpToolset {
  const listed = s.tools ?? s.named;
  const held = listed.filter((t) => t.approval === "always").map((t) => t.name);
  if (held.length > 0) warnings.push(`server "${s.name}": ${held.join(", ")} need approval under the policy and the connector cannot ask; disabled`);
  const configs: Record<string, { enabled: boolean }> = {};
  if (s.tools !== undefined) {
    // Allowlist: everything off, the permitted tools that need no approval on.
    for (const t of s.tools) if (t.approval === "never") configs[t.name] = { enabled: true };
    return withConfigs({ type: "mcp_toolset", mcp_server_name: s.name, default_config: { enabled: false } }, configs);
  }
  const defaultOn = s.openDefault === "never";
  if (!defaultOn) warnings.push(`server "${s.name}": tools the config does not name need approval at its trust level, so they are disabled; only named tools that need none are enabled`);
  for (const t of s.named) if ((t.approval === "never") !== defaultOn) configs[t.name] = { enabled: t.approval === "never" };
  return withConfigs({ type: "mcp_toolset", mcp_server_name: s.name, default_config: { enabled: defaultOn } }, configs);
}

function withConfigs(t: AnthropicMcpToolset, configs: Record<string, { enabled: boolean }>): AnthropicMcpToolset {
  if (Object.keys(configs).length > 0) t.configs = configs;
  return t;
}
