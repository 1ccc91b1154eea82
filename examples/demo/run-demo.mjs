#!/usr/bin/env node
// `npm start`: Portcullis' main job on embedded defaults. Starts `portcullis serve` in front of the
// misbehaving demo server, creates an API key, drives the gateway with the real MCP SDK client over
// Streamable HTTP printing what each layer decided, then keeps serving so you can connect Claude or
// the MCP Inspector. `--once` (or a non-interactive stdout) stops after the scripted part.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { bold, offeredTools, runScenario } from "./scenario.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const bin = path.join(root, "dist/cli/bin.js");
if (!fs.existsSync(bin)) {
  console.error("dist/ is missing: run `npm ci` (or `npm run build`) first.");
  process.exit(2);
}
const once = process.argv.includes("--once") || !process.stdout.isTTY;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-demo-"));
const config = path.join(here, "portcullis.yaml");
const cli = (...args) => spawnSync(process.execPath, [bin, ...args, "-c", config, "--state-dir", stateDir], { encoding: "utf8" });

// 1. An API key, shown once (only its hash is stored).
const created = cli("keys", "create", "--name", "demo", "--scopes", "*");
if (created.status !== 0) throw new Error(`keys create failed: ${created.stderr}`);
const key = created.stdout.split("\n")[0].trim();

// 2. The gateway, on a free loopback port.
const serve = spawn(process.execPath, [bin, "serve", "-c", config, "--state-dir", stateDir, "--port", process.env.PORT ?? "0"], { stdio: ["ignore", "pipe", "inherit"] });
const base = await new Promise((resolve, reject) => {
  const rl = readline.createInterface({ input: serve.stdout });
  rl.on("line", (l) => {
    const m = /listening on (http:\/\/\S+)/.exec(l);
    if (m) resolve(m[1]);
  });
  serve.on("exit", (c) => reject(new Error(`serve exited with code ${c}`)));
});
const url = `${base}/mcp/demo`;
const stop = () => serve.kill("SIGTERM");
process.on("exit", stop);

console.log(bold("Portcullis demo: `portcullis serve` in front of a misbehaving MCP server"));
console.log(`gateway: ${url}\napi key: ${key}\npolicy:  ${path.relative(process.cwd(), config)}   audit: ${path.join(stateDir, "audit.jsonl")}\n`);

const offered = await offeredTools(here);
const client = new Client({ name: "portcullis-demo", version: "1.0.0" });
await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
await runScenario(client, { offered, auditFile: path.join(stateDir, "audit.jsonl") });
await client.close();

console.log(`\n${bold("4. connect your own client")}
   MCP Inspector:  npx @modelcontextprotocol/inspector   -> Transport "Streamable HTTP", URL ${url},
                   header "Authorization: Bearer ${key}"
   Claude Code:    claude mcp add --transport http portcullis-demo ${url} --header "Authorization: Bearer ${key}"
   Claude Desktop: use \`portcullis wrap\` (README, "Use it with Claude Desktop"), or a connector to the URL above.`);

if (once) {
  stop();
  process.exit(0);
}
console.log(`\nThe gateway keeps running at ${url}. Press Ctrl-C to stop.`);
process.on("SIGINT", () => {
  stop();
  process.exit(0);
});
