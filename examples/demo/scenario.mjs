// The scripted agent both demos run: list tools, call them the way an agent would, print what each
// Portcullis layer decided, then the audit log.
import fs from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

export const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

/** The demo server's own tool list, asked directly (no Portcullis), to show what gets hidden. */
export async function offeredTools(here) {
  const direct = new Client({ name: "portcullis-demo", version: "1.0.0" });
  await direct.connect(new StdioClientTransport({ command: process.execPath, args: [path.join(here, "demo-server.mjs")], stderr: "ignore" }));
  const names = (await direct.listTools()).tools.map((t) => t.name);
  await direct.close();
  return names;
}

/** Drives `client` (connected through Portcullis) and prints each decision, then the audit lines. */
export async function runScenario(client, { offered, auditFile }) {
  const listed = (await client.listTools()).tools.map((t) => t.name);
  console.log(bold("1. tools/list"));
  console.log(`   server offers: ${offered.join(", ")}`);
  console.log(`   client sees:   ${listed.join(", ")}`);
  console.log(`   hidden:        ${offered.filter((t) => !listed.includes(t)).join(", ") || "(none)"}\n`);

  const call = async (label, name, args) => {
    const r = await client.callTool({ name, arguments: args });
    const meta = r._meta?.portcullis;
    const body = r.content?.[0]?.text ?? "";
    console.log(`   ${(r.isError ? "BLOCKED" : "allowed").padEnd(7)} ${label}`);
    if (meta) console.log(`           [${meta.layer} / ${meta.rule} / ${meta.code}] ${body.slice(0, 220)}`);
    else console.log(`           -> ${body.replace(/\n/g, " ").slice(0, 160)}`);
  };
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

  const lines = fs.readFileSync(auditFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  console.log(`\n${bold("3. audit")} ${lines.length} hash-chained lines (check them: portcullis audit verify ${auditFile}):`);
  for (const l of lines) console.log(`   #${String(l.seq).padEnd(3)} ${l.event.padEnd(18)} ${(l.tool ?? l.method ?? "").padEnd(15)} ${l.decision ?? ""}${l.layer ? ` by ${l.layer}` : ""}${l.rule ? ` (${l.rule})` : ""}`);
}
