import type { AgentMessage, AgentTool, AgentToolCall, ModelAdapter, ModelTurn } from "./types.js";

/**
 * The part of an `openai` client the adapter uses (`new OpenAI({ baseURL, apiKey })` qualifies).
 * Declared structurally so Portcullis does not depend on the SDK at runtime.
 */
export interface OpenAIResponsesClient {
  responses: {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    create(body: any, options?: any): PromiseLike<unknown>;
  };
}

export interface OpenAIAdapterOptions {
  model: string;
  /** Extra request fields (temperature, reasoning, ...). */
  request?: Record<string, unknown>;
}

/**
 * Model adapter for the OpenAI Responses API with function tools. Stateless (`store: false`):
 * the whole conversation is sent each turn, so nothing depends on server-side state.
 */
export function openAIResponsesAdapter(client: OpenAIResponsesClient, options: OpenAIAdapterOptions): ModelAdapter {
  return {
    async complete(messages: readonly AgentMessage[], tools: readonly AgentTool[]): Promise<ModelTurn> {
      const instructions = messages.filter((m) => m.role === "system").map((m) => m.content).join("\n\n");
      const input: Record<string, unknown>[] = [];
      for (const m of messages) {
        if (m.role === "user") input.push({ role: "user", content: m.content });
        else if (m.role === "assistant") {
          if (m.text) input.push({ role: "assistant", content: m.text });
          for (const c of m.toolCalls ?? []) input.push({ type: "function_call", call_id: c.id, name: c.name, arguments: JSON.stringify(c.arguments) });
        } else if (m.role === "tool") input.push({ type: "function_call_output", call_id: m.callId, output: m.content });
      }
      const body: Record<string, unknown> = { model: options.model, input, store: false, ...options.request };
      if (instructions) body.instructions = instructions;
      if (tools.length > 0) body.tools = tools.map((t) => ({ type: "function", name: t.name, description: t.description ?? "", parameters: t.inputSchema, strict: false }));
      const res = (await client.responses.create(body)) as { output?: unknown[] };
      return parseOpenAIOutput(res.output ?? []);
    },
  };
}

function parseOpenAIOutput(output: unknown[]): ModelTurn {
  const texts: string[] = [];
  const toolCalls: AgentToolCall[] = [];
  for (const item of output as { type?: string; content?: { type?: string; text?: string }[]; call_id?: string; name?: string; arguments?: string }[]) {
    if (item.type === "message") {
      for (const part of item.content ?? []) if (part.type === "output_text" && typeof part.text === "string") texts.push(part.text);
    } else if (item.type === "function_call" && typeof item.name === "string") {
      toolCalls.push({ id: item.call_id ?? `call_${toolCalls.length}`, name: item.name, arguments: parseArguments(item.arguments) });
    }
  }
  return { ...(texts.length ? { text: texts.join("\n") } : {}), ...(toolCalls.length ? { toolCalls } : {}) };
}

/** Model-written JSON; anything that is not an object becomes `{}` (the guard's argument rules still apply). */
export function parseArguments(raw: unknown): Record<string, unknown> {
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw)) return raw as Record<string, unknown>;
  if (typeof raw !== "string" || raw.trim() === "") return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
