import { parseArguments } from "./openai-adapter.js";
import type { AgentMessage, AgentTool, AgentToolCall, ModelAdapter, ModelTurn } from "./types.js";

/**
 * The part of an `@anthropic-ai/sdk` client the adapter uses (`new Anthropic({ baseURL, apiKey })`
 * qualifies). Declared structurally so Portcullis does not depend on the SDK at runtime.
 */
export interface AnthropicMessagesClient {
  messages: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    create(body: any, options?: any): PromiseLike<unknown>;
  };
}

export interface AnthropicAdapterOptions {
  model: string;
  /** Default 1024. */
  maxTokens?: number;
  /** Extra request fields (temperature, thinking, ...). */
  request?: Record<string, unknown>;
}

/** Model adapter for the Anthropic Messages API with client tools (`tool_use` / `tool_result`). */
export function anthropicMessagesAdapter(client: AnthropicMessagesClient, options: AnthropicAdapterOptions): ModelAdapter {
  return {
    async complete(messages: readonly AgentMessage[], tools: readonly AgentTool[]): Promise<ModelTurn> {
      const system = messages.filter((m) => m.role === "system").map((m) => m.content).join("\n\n");
      const out: { role: "user" | "assistant"; content: unknown }[] = [];
      for (const m of messages) {
        if (m.role === "user") out.push({ role: "user", content: m.content });
        else if (m.role === "assistant") {
          const blocks: Record<string, unknown>[] = [];
          if (m.text) blocks.push({ type: "text", text: m.text });
          for (const c of m.toolCalls ?? []) blocks.push({ type: "tool_use", id: c.id, name: c.name, input: c.arguments });
          if (blocks.length) out.push({ role: "assistant", content: blocks });
        } else if (m.role === "tool") {
          // Consecutive results of one assistant turn go back together in one user message.
          const block = { type: "tool_result", tool_use_id: m.callId, content: m.content, ...(m.isError ? { is_error: true } : {}) };
          const last = out[out.length - 1];
          if (last?.role === "user" && Array.isArray(last.content) && (last.content as { type?: string }[]).every((b) => b.type === "tool_result")) (last.content as unknown[]).push(block);
          else out.push({ role: "user", content: [block] });
        }
      }
      const body: Record<string, unknown> = { model: options.model, max_tokens: options.maxTokens ?? 1024, messages: out, ...options.request };
      if (system) body.system = system;
      if (tools.length > 0) body.tools = tools.map((t) => ({ name: t.name, description: t.description ?? "", input_schema: t.inputSchema }));
      const res = (await client.messages.create(body)) as { content?: unknown[] };
      const texts: string[] = [];
      const toolCalls: AgentToolCall[] = [];
      for (const b of (res.content ?? []) as { type?: string; text?: string; id?: string; name?: string; input?: unknown }[]) {
        if (b.type === "text" && typeof b.text === "string") texts.push(b.text);
        else if (b.type === "tool_use" && typeof b.name === "string") toolCalls.push({ id: b.id ?? `toolu_${toolCalls.length}`, name: b.name, arguments: parseArguments(b.input) });
      }
      return { ...(texts.length ? { text: texts.join("\n") } : {}), ...(toolCalls.length ? { toolCalls } : {}) };
    },
  };
}
