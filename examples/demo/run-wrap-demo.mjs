#!/usr/bin/env node
// `npm run demo:wrap`: the demo server behind `portcullis wrap` (the desktop-client setup), driven by
// the real MCP SDK client over stdio, printing what each layer decided. Needs only `npm ci`.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { bold, offeredTools, runScenario } from "./scenario.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, "../../dist/cli/bin.js");
if (!fs.existsSync(bin)) {
  console.error("dist/ is missing: run `npm ci` (or `npm run build`) first.");
  process.exit(2);
}
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-demo-"));
const config = path.join(here, "portcullis.yaml");

console.log(bold("Portcullis demo: a misbehaving MCP server behind `portcullis wrap`"));
console.log(`policy: ${path.relative(process.cwd(), config)}   audit: ${path.join(stateDir, "audit.jsonl")}\n`);
const offered = await offeredTools(here);
const client = new Client({ name: "portcullis-demo", version: "1.0.0" });
await client.connect(new StdioClientTransport({ command: process.execPath, args: [bin, "wrap", "-c", config, "--name", "demo", "--state-dir", stateDir], stderr: "ignore" }));
await runScenario(client, { offered, auditFile: path.join(stateDir, "audit.jsonl") });
await client.close();
console.log(`\nNext: put \`portcullis wrap -- <your server command>\` in your MCP client config (README).`);
