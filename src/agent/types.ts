/** A tool call the model asked for, with arguments already parsed from JSON. */
export interface AgentToolCall {
  /** The provider's call id (OpenAI `call_id`, Anthropic `tool_use.id`). */
  id: string;
  /** The name the model used (the runner maps it back to the MCP tool name). */
  name: string;
  arguments: Record<string, unknown>;
}

/** One message of the provider-neutral conversation the runner keeps. */
export type AgentMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string }
  | { role: "assistant"; text?: string; toolCalls?: AgentToolCall[] }
  | { role: "tool"; callId: string; name: string; content: string; isError: boolean };

/** A tool as offered to the model: what the guarded server lists (policy-filtered). */
export interface AgentTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (an object schema). */
  inputSchema: Record<string, unknown>;
}

/** What the model answered: text, tool calls, or both. */
export interface ModelTurn {
  text?: string;
  toolCalls?: AgentToolCall[];
}

/**
 * The one thing the runner needs from a model provider. `tools` is empty when the runner no longer
 * lets the model act (after a halt); adapters must then offer none.
 */
export interface ModelAdapter {
  complete(messages: readonly AgentMessage[], tools: readonly AgentTool[]): Promise<ModelTurn>;
}

/**
 * The MCP side: any client with these two methods. The v1 and v2 SDK `Client` both qualify;
 * connect it through `guard.wrap(...)` so every call is judged by the pipeline.
 */
export interface AgentToolClient {
  listTools(): Promise<{ tools: readonly { name: string; description?: string; inputSchema?: object }[] }>;
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<unknown>;
}
