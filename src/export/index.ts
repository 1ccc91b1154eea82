export { buildOpenAIExport, openAITool, type OpenAIExport, type OpenAIMcpTool } from "./openai.js";
export { ANTHROPIC_MCP_BETA, buildAnthropicExport, type AnthropicExport, type AnthropicMcpServer, type AnthropicMcpToolset } from "./anthropic.js";
export { placeholderFor, planHostedServers, type HostedApproval, type HostedPlan, type HostedServerPlan, type PlanOptions } from "./plan-hosted.js";
export { loadExportConfig } from "./load-export-config.js";
