import type { ResolvedConfig } from "../config/resolve-config.js";
import { planHostedServers, type HostedServerPlan, type PlanOptions } from "./plan-hosted.js";

/**
 * The OpenAI Responses API hosted MCP tool (`tools[]` entry with `type: "mcp"`), the subset
 * Portcullis writes. Mirrors `OpenAI.Responses.Tool.Mcp` (openai v6); a test assigns it to that type.
 */
export interface OpenAIMcpTool {
  type: "mcp";
  server_label: string;
  server_url: string;
  server_description?: string;
  /** Exact tool names the model may call; absent = every tool the server offers. */
  allowed_tools?: string[];
  require_approval: "always" | "never" | { always?: { tool_names: string[] }; never?: { tool_names: string[] } };
  /** Header templates: secrets are `${VAR}` placeholders to fill in before sending. */
  headers?: Record<string, string>;
}

/** Ready to spread into `client.responses.create({ ...exported, model, input })`. */
export interface OpenAIExport {
  tools: OpenAIMcpTool[];
}

/**
 * `portcullis export openai`: one `mcp` tool per server reachable by URL. `allowed_tools` is the
 * exact set the policy permits (when it names one), `require_approval` follows trust and per-tool
 * `approval`; tools the policy refuses are never listed.
 */
export function buildOpenAIExport(cfg: ResolvedConfig, options: PlanOptions = {}): { export: OpenAIExport; warnings: string[] } {
  const plan = planHostedServers(cfg, options);
  return { export: { tools: plan.servers.map(openAITool) }, warnings: plan.warnings };
}

export function openAITool(s: HostedServerPlan): OpenAIMcpTool {
  const tool: OpenAIMcpTool = { type: "mcp", server_label: s.name, server_url: s.url, require_approval: "always" };
  const listed = s.tools ?? s.named;
  if (s.tools !== undefined) tool.allowed_tools = s.tools.map((t) => t.name);
  const never = listed.filter((t) => t.approval === "never").map((t) => t.name);
  const always = listed.filter((t) => t.approval === "always").map((t) => t.name);
  if (s.tools !== undefined) {
    // Closed set: every exported tool is in exactly one bucket.
    tool.require_approval = always.length === 0 && never.length > 0 ? "never" : never.length === 0 ? "always" : { never: { tool_names: never } };
  } else if (s.openDefault === "never" && always.length === 0) {
    tool.require_approval = "never";
  } else if (s.openDefault === "always" && never.length === 0) {
    tool.require_approval = "always";
  } else {
    tool.require_approval = s.openDefault === "never" ? { always: { tool_names: always } } : { never: { tool_names: never } };
  }
  if (Object.keys(s.headers).length > 0) tool.headers = s.headers;
  return tool;
}
