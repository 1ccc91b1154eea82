#!/usr/bin/env node
// Library use in an MCP client: the full Portcullis pipeline in-process, no proxy hop.
// The demo server behind createGuard() with the demo policy, driven by the real v1 SDK client.
//
//   npm run build && node examples/library/client-guard.mjs
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { createGuard, MemoryAuditLog } from "portcullis";

const here = import.meta.dirname;
const audit = new MemoryAuditLog();
const guard = createGuard(path.join(here, "../demo/portcullis.yaml"), {
  server: "demo",
  audit, // or omit: hash-chained JSONL in .portcullis/ beside the config
  stateDir: path.join(here, ".portcullis"),
  // Calls that need approval come here; without `approve` they are refused (fail closed).
  approve: async (req) => {
    console.log(`  approval asked: ${req.tool} ${JSON.stringify(req.arguments)} (${req.reasons[0].reason}) -> no`);
    return false;
  },
});

const client = new Client({ name: "guarded-app", version: "1.0.0" });
await client.connect(guard.wrap(new StdioClientTransport({ command: process.execPath, args: [path.join(here, "../demo/demo-server.mjs")], stderr: "ignore" })));

console.log("tools:", (await client.listTools()).tools.map((t) => t.name).join(", "));
for (const [name, args] of [
  ["read_file", { path: "/srv/docs/guide.md" }],
  ["read_file", { path: "/etc/passwd" }],
  ["send_email", { to: "x@example.com", subject: "hi", body: "hello" }],
  ["run_shell", { command: "id" }],
]) {
  const r = await client.callTool({ name, arguments: args });
  const p = r._meta?.portcullis;
  console.log(`${r.isError ? "BLOCKED" : "allowed"} ${name} ${JSON.stringify(args)}${p ? `  [${p.layer} / ${p.code}]` : ""}`);
}
console.log(`audit: ${audit.entries.length} entries; last: ${JSON.stringify(audit.entries.at(-1))}`);
await client.close();
await guard.close();
