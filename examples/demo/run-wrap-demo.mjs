#!/usr/bin/env node
// `npm run demo:wrap`: the demo server behind `portcullis wrap` (the desktop-client setup), driven by the real MCP SDK client, printing
// what each layer decided. Needs only `npm ci` (which builds dist/).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const bin = path.join(root, "dist/cli/bin.js");
if (!fs.existsSync(bin)) {
  console.error("dist/ is missing: run `npm ci` (or `npm run build`) first.");
  process.exit(2);
}
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-demo-"));
const config = path.join(here, "portcullis.yaml");
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const mark = (ok) => (ok ? "allowed" : "BLOCKED");

async function connect(args) {
  const client = new Client({ name: "portcullis-demo", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command: process.execPath, args, cwd: root, stderr: "ignore" }));
  return client;
}

console.log(bold("Portcullis demo: a misbehaving MCP server behind `portcullis wrap`"));
console.log(`policy: ${path.relative(process.cwd(), config)}   audit: ${path.join(stateDir, "audit.jsonl")}\n`);

const direct = await connect([path.join(here, "demo-server.mjs")]);
const offered = (await direct.listTools()).tools.map((t) => t.name);
await direct.close();

const guarded = await connect([bin, "wrap", "-c", config, "--name", "demo", "--state-dir", stateDir]);
const listed = (await guarded.listTools()).tools.map((t) => t.name);
console.log(bold("1. tools/list"));
console.log(`   server offers: ${offered.join(", ")}`);
console.log(`   client sees:   ${listed.join(", ")}`);
console.log(`   hidden:        ${offered.filter((t) => !listed.includes(t)).join(", ") || "(none)"}\n`);

async function call(label, name, args) {
  const r = await guarded.callTool({ name, arguments: args });
  const meta = r._meta?.portcullis;
  const body = r.content?.[0]?.text ?? "";
  console.log(`   ${mark(!r.isError).padEnd(7)} ${label}`);
  if (meta) console.log(`           [${meta.layer} / ${meta.rule} / ${meta.code}] ${body}`);
  else console.log(`           -> ${body.replace(/\n/g, " ").slice(0, 160)}`);
  return r;
}

console.log(bold("2. tools/call"));
await call("read_file /srv/docs/guide.md", "read_file", { path: "/srv/docs/guide.md" });
await call("read_file /srv/docs/../../etc/passwd  (argument rule)", "read_file", { path: "/srv/docs/../../etc/passwd" });
await call("search_docs (declared read-only)", "search_docs", { query: "install" });
await call("delete_records users  (destructive, trust medium)", "delete_records", { table: "users" });
await call("send_email  (approval: always)", "send_email", { to: "a@example.com", subject: "hi", body: "hello" });
await call("run_shell rm -rf /  (deny list)", "run_shell", { command: "rm -rf /" });
for (let i = 1; i <= 4; i++) await call(`get_user #${i}  (max 3 calls per session)`, "get_user", { user_id: `u${i}` });
await call("fetch_inbox  (email carrying hidden instructions)", "fetch_inbox", {});
await guarded.close();

const lines = fs.readFileSync(path.join(stateDir, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
console.log(`\n${bold("3. audit")} ${lines.length} hash-chained lines:`);
for (const l of lines) console.log(`   #${String(l.seq).padEnd(3)} ${l.event.padEnd(16)} ${(l.tool ?? l.method ?? "").padEnd(15)} ${l.decision ?? ""}${l.layer ? ` by ${l.layer}` : ""}${l.rule ? ` (${l.rule})` : ""}`);
console.log(`\nNext: put \`portcullis wrap -- <your server command>\` in your MCP client config (README).`);
