#!/usr/bin/env node
// The floor of an inspecting proxy: like pipe-relay, but splits lines and JSON.parses every message
// (forwarding the original text). No policy, no audit: what "parse only what you inspect" costs at least.
import { spawn } from "node:child_process";

const [cmd, ...args] = process.argv.slice(2);
const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "inherit"] });

function relay(input, output) {
  let rest = "";
  input.setEncoding("utf8");
  input.on("data", (chunk) => {
    const text = rest + chunk;
    let start = 0;
    let out = "";
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (JSON.parse(line).jsonrpc === "2.0") out += `${line}\n`;
    }
    rest = text.slice(start);
    if (out) output.write(out);
  });
}
relay(process.stdin, child.stdin);
relay(child.stdout, process.stdout);
process.stdin.on("end", () => child.stdin.end());
child.on("exit", (code) => process.exit(code ?? 0));
