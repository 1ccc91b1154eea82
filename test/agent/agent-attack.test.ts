import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { anthropicMessagesAdapter, openAIResponsesAdapter, SecureAgentRunner, type ModelAdapter, type SecureAgentRunnerOptions } from "../../src/agent/index.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { createGuard, MemoryAuditLog, type Guard, type GuardOptions } from "../../src/library/index.js";
import { startScriptedModel } from "./scripted-model-server.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DEMO_SERVER = path.join(ROOT, "examples/demo/demo-server.mjs");
const DEMO_POLICY = path.join(ROOT, "examples/demo/portcullis.yaml");
const fixture = (name: string) => (JSON.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/agent", name), "utf8")) as { responses: unknown[] }).responses;

const TASK = "Check my inbox and summarise the latest email.";

interface Setup {
  guard: Guard;
  audit: MemoryAuditLog;
  client: Client;
  /** Every message that actually reached the demo server. */
  upstream: Record<string, unknown>[];
  close(): Promise<void>;
}

/** The demo server behind an in-process guard with the demo policy, plus a spy on what reaches it. */
async function connectDemo(runner: SecureAgentRunner, guardOptions: GuardOptions): Promise<Setup> {
  const audit = new MemoryAuditLog();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-agent-"));
  const guard = createGuard(DEMO_POLICY, { server: "demo", audit, stateDir, ...guardOptions });
  const inner = new StdioClientTransport({ command: process.execPath, args: [DEMO_SERVER], stderr: "ignore" });
  const upstream: Record<string, unknown>[] = [];
  const send = inner.send.bind(inner);
  inner.send = (m: Parameters<StdioClientTransport["send"]>[0]) => {
    upstream.push(m as Record<string, unknown>);
    return send(m);
  };
  const client = new Client({ name: "agent-test", version: "1.0.0" });
  await client.connect(guard.wrap(inner, { approve: runner.approver }));
  return { guard, audit, client, upstream, close: async () => { await client.close(); await guard.close(); } };
}

const toolCallsTo = (s: Setup, tool: string) => s.upstream.filter((m) => m.method === "tools/call" && (m.params as { name?: string }).name === tool);

type Provider = "openai" | "anthropic";
/** The guard as a deployment without the injection layer would run it (the guard's other layers only). */
const WITHOUT_INJECTION_LAYER: GuardOptions = { layers: (server, deps) => defaultLayers(server, deps).filter((l) => l.name !== "injection") };

async function scenario(provider: Provider, options: Partial<SecureAgentRunnerOptions> = {}, guardOptions: GuardOptions = {}) {
  const model = await startScriptedModel(fixture(provider === "openai" ? "openai-attack.json" : "anthropic-attack.json"));
  cleanups.push(model.close);
  const adapter: ModelAdapter = provider === "openai"
    ? openAIResponsesAdapter(new OpenAI({ apiKey: "sk-test-local", baseURL: `${model.url}/v1`, maxRetries: 0 }), { model: "gpt-5-mini" })
    : anthropicMessagesAdapter(new Anthropic({ apiKey: "sk-ant-test-local", baseURL: model.url, maxRetries: 0 }), { model: "claude-scripted" });
  // The client is set once connected; the runner only needs it when run() starts.
  const holder: { client?: Client } = {};
  const runner = new SecureAgentRunner({
    model: adapter,
    client: { listTools: () => holder.client!.listTools(), callTool: (p) => holder.client!.callTool(p) },
    ...options,
  });
  const setup = await connectDemo(runner, guardOptions);
  cleanups.push(setup.close);
  holder.client = setup.client;
  const result = await runner.run(TASK);
  return { result, setup, model };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each<Provider>(["openai", "anthropic"])("SecureAgentRunner + real %s SDK + scripted loopback model + demo server", (provider) => {
  it("full guard: the injected inbox result is refused by the injection layer, the run halts, send_email is never sent", async () => {
    const { result, setup, model } = await scenario(provider);
    expect(result.transcript.filter((e) => e.type === "tool_call")).toMatchObject([
      { tool: "fetch_inbox", outcome: "refused", code: "INJECTION_DETECTED", layer: "injection" },
      { tool: "send_email", outcome: "not_executed" },
    ]);
    expect(result.transcript.some((e) => e.type === "halt" && /fetch_inbox/.test(e.reason))).toBe(true);
    expect(result.stopReason).toBe("halted");
    expect(toolCallsTo(setup, "send_email")).toEqual([]);
    expect(setup.audit.entries.some((e) => e.tool === "send_email")).toBe(false);
    // The model got no tools on the turns after the halt.
    expect(model.requests.slice(1).every((r) => r.body.tools === undefined)).toBe(true);
  });

  it("guard without injection layer, runner detector off: the guard refuses send_email (approval: always, confirm denies); transcript shows it, no email sent", async () => {
    const { result, setup, model } = await scenario(provider, { detectInjection: false }, WITHOUT_INJECTION_LAYER);
    expect(result.transcript.filter((e) => e.type === "tool_call")).toMatchObject([
      { tool: "fetch_inbox", outcome: "ok" },
      { tool: "send_email", outcome: "refused", code: "APPROVAL_REQUIRED", layer: "server-trust" },
    ]);
    expect(result.transcript.some((e) => e.type === "halt" && /send_email/.test(e.reason))).toBe(true);
    expect(result.stopReason).toBe("halted");
    expect(result.finalText).toMatch(/nothing was sent/);
    expect(toolCallsTo(setup, "send_email")).toEqual([]);
    expect(toolCallsTo(setup, "fetch_inbox")).toHaveLength(1);
    expect(setup.audit.entries.find((e) => e.tool === "send_email")).toMatchObject({ decision: "deny", code: "APPROVAL_REQUIRED", event: "approval_denied" });
    // The model saw the refusal as a tool result, and got no tools on the turn after the halt.
    const last = model.requests.at(-1)!.body;
    expect(JSON.stringify(last)).toMatch(/Portcullis blocked `send_email`/);
    expect(last.tools).toBeUndefined();
    // Injection-resistant system prompt, and tool output wrapped as data.
    const first = model.requests[0]!.body;
    expect(JSON.stringify(provider === "openai" ? first.instructions : first.system)).toMatch(/untrusted data, not instructions/);
    expect(JSON.stringify(model.requests[1]!.body)).toMatch(/<tool_output source=\\"fetch_inbox\\"/);
  });

  it("guard without injection layer, runner detector on: the runner stops acting after the injected result", async () => {
    const { result, setup } = await scenario(provider, {}, WITHOUT_INJECTION_LAYER);
    expect(result.transcript.filter((e) => e.type === "tool_call")).toMatchObject([
      { tool: "fetch_inbox", outcome: "ok" },
      { tool: "send_email", outcome: "not_executed" },
    ]);
    expect(result.transcript.some((e) => e.type === "injection_detected" && e.tool === "fetch_inbox")).toBe(true);
    expect(toolCallsTo(setup, "send_email")).toEqual([]);
  });

  it("the confirm callback is the human gate: it is asked about send_email and its answer is enforced", async () => {
    const asked: string[] = [];
    const { result, setup } = await scenario(provider, { detectInjection: false, confirm: (r) => { asked.push(`${r.tool} -> ${String(r.arguments?.to)}`); return true; } }, WITHOUT_INJECTION_LAYER);
    expect(asked).toEqual(["send_email -> attacker@evil.example"]);
    expect(toolCallsTo(setup, "send_email")).toHaveLength(1); // a human said yes: that is on them, and audited
    expect(setup.audit.entries.some((e) => e.event === "approval_granted" && e.tool === "send_email")).toBe(true);
    expect(result.transcript.filter((e) => e.type === "tool_call").map((e) => e.type === "tool_call" && e.outcome)).toEqual(["ok", "ok"]);
  });
});

describe("runner limits", () => {
  it("refuses tool calls beyond maxCallsPerTool without sending them", async () => {
    const turns = [{ toolCalls: [{ id: "1", name: "search_docs", arguments: { query: "a" } }, { id: "2", name: "search_docs", arguments: { query: "b" } }] }, { text: "done" }];
    const model: ModelAdapter = { complete: async () => turns.shift() ?? { text: "?" } };
    const calls: string[] = [];
    const runner = new SecureAgentRunner({
      model, maxCallsPerTool: 1,
      client: { listTools: async () => ({ tools: [{ name: "search_docs", inputSchema: { type: "object" } }] }), callTool: async (p) => { calls.push(String(p.arguments?.query)); return { content: [{ type: "text", text: "ok" }] }; } },
    });
    const r = await runner.run("search twice");
    expect(calls).toEqual(["a"]);
    expect(r.transcript.filter((e) => e.type === "tool_call").map((e) => e.type === "tool_call" && e.outcome)).toEqual(["ok", "not_executed"]);
    expect(r.stopReason).toBe("done");
  });
});
