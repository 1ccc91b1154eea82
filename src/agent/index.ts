export { AGENT_SYSTEM_PROMPT, SecureAgentRunner, type AgentRunResult, type ConfirmCallback, type SecureAgentRunnerOptions, type StopReason, type ToolCallOutcome, type TranscriptEntry } from "./secure-agent-runner.js";
export { openAIResponsesAdapter, type OpenAIAdapterOptions, type OpenAIResponsesClient } from "./openai-adapter.js";
export { anthropicMessagesAdapter, type AnthropicAdapterOptions, type AnthropicMessagesClient } from "./anthropic-adapter.js";
export type { AgentMessage, AgentTool, AgentToolCall, AgentToolClient, ModelAdapter, ModelTurn } from "./types.js";
