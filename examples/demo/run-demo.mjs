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
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

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
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
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

const direct = new Client({ name: "portcullis-demo", version: "1.0.0" });
await direct.connect(new StdioClientTransport({ command: process.execPath, args: [path.join(here, "demo-server.mjs")], stderr: "ignore" }));
const offered = (await direct.listTools()).tools.map((t) => t.name);
await direct.close();

const client = new Client({ name: "portcullis-demo", version: "1.0.0" });
await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
const listed = (await client.listTools()).tools.map((t) => t.name);
console.log(bold("1. tools/list"));
console.log(`   server offers: ${offered.join(", ")}`);
console.log(`   client sees:   ${listed.join(", ")}`);
console.log(`   hidden:        ${offered.filter((t) => !listed.includes(t)).join(", ") || "(none)"}\n`);

async function call(label, name, args) {
  const r = await client.callTool({ name, arguments: args });
  const meta = r._meta?.portcullis;
  const body = r.content?.[0]?.text ?? "";
  console.log(`   ${(r.isError ? "BLOCKED" : "allowed").padEnd(7)} ${label}`);
  if (meta) console.log(`           [${meta.layer} / ${meta.rule} / ${meta.code}] ${body.slice(0, 220)}`);
  else console.log(`           -> ${body.replace(/\n/g, " ").slice(0, 160)}`);
}

console.log(bold("2. tools/call"));
await call("read_file /srv/docs/guide.md", "read_file", { path: "/srv/docs/guide.md" });
await call("read_file /srv/docs/../../etc/passwd  (argument rule)", "read_file", { path: "/srv/docs/../../etc/passwd" });
await call("search_docs (declared read-only)", "search_docs", { query: "install" });
await call("delete_records users  (destructive, trust medium)", "delete_records", { table: "users" });
await call("send_email  (approval: always)", "send_email", { to: "a@example.com", subject: "hi", body: "hello" });
await call("run_shell rm -rf /  (deny list)", "run_shell", { command: "rm -rf /" });
await call("get_user u1  (secret fields are redacted)", "get_user", { user_id: "u1" });
for (let i = 2; i <= 4; i++) await call(`get_user #${i}  (max 3 calls per session)`, "get_user", { user_id: `u${i}` });
await call("fetch_inbox  (email carrying hidden instructions)", "fetch_inbox", {});
await client.close();

const lines = fs.readFileSync(path.join(stateDir, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
console.log(`\n${bold("3. audit")} ${lines.length} hash-chained lines (verify: portcullis audit verify ${path.join(stateDir, "audit.jsonl")}):`);
for (const l of lines) console.log(`   #${String(l.seq).padEnd(3)} ${l.event.padEnd(18)} ${(l.tool ?? l.method ?? "").padEnd(15)} ${l.decision ?? ""}${l.layer ? ` by ${l.layer}` : ""}${l.rule ? ` (${l.rule})` : ""}`);

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
