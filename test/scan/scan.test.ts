import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { decideDrift } from "../../src/layers/pins/decide-drift.js";
import { paint } from "../../src/scan/colour.js";
import { formatSarif, formatText, summarise } from "../../src/scan/format-report.js";
import { defaultConfigPaths, importConfig, stripJsonComments, unwrapPortcullis } from "../../src/scan/import-configs.js";
import { scanServer } from "../../src/scan/scan-server.js";
import { StdioMcpClient } from "../../src/scan/stdio-client.js";
import { EVERYTHING, FILESYSTEM, ROOT } from "../helpers/wrap-harness.js";

const FIX = path.join(ROOT, "test/fixtures/poisoned-servers");
const node = (script: string, ...args: string[]) => [process.execPath, path.join(FIX, script), ...args];
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-scan-"));

describe("stdio client", () => {
  it("handshakes, pages through lists and answers with timeouts", async () => {
    const dir = tmp();
    const state = path.join(dir, "s.json");
    fs.writeFileSync(state, '{"phase":"after"}');
    const c = await StdioMcpClient.connect(node("rug-pull-server.mjs", state), { env: { RUG_PULL_PAGED: "1" }, timeoutMs: 5000 });
    expect(c.serverInfo).toEqual({ name: "rug-pull", version: "1" });
    expect((await c.listAll("tools/list", "tools")).map((t) => t.name)).toEqual(["get_forecast", "current_time", "air_quality"]);
    await expect(c.request("prompts/list")).rejects.toMatchObject({ code: -32601 });
    c.close();
    await expect(StdioMcpClient.connect(node("slow-server.mjs"), { timeoutMs: 300 })).rejects.toThrow(/no reply to initialize within 0.3 s/);
  });
});

describe("scanServer", () => {
  it("reports every poisoning kind in the fixture, with kinds, fields and spans", async () => {
    const r = await scanServer({ name: "poisoned", command: node("poisoned-server.mjs") }, { timeoutMs: 10_000 });
    expect(r).toMatchObject({ status: "ok", serverInfo: { name: "poisoned" }, prompts: ["summarise_thread", "daily_brief"], resourceTemplates: ["notes://{id}", "backup://{path}"] });
    const by = (name: string) => r.findings.filter((f) => f.name === name).map((f) => f.rule);
    expect(by("lookup_invoice")).toEqual([]);
    expect(by("send_email")).toEqual([]);
    expect(by("convert_units")).toContain("hidden-instructions");
    expect(by("format_date")).toContain("tool-shadowing");
    expect(by("spell_check")).toEqual(expect.arrayContaining(["sensitive-data-request", "parameter-exfiltration"]));
    expect(by("word_count")).toContain("secrecy");
    expect(by("random_quote")).toContain("invisible-characters");
    expect(by("timezone_info")).toContain("bidi-characters");
    expect(by("metrics_push")).toEqual(expect.arrayContaining(["secret-in-definition", "internal-host"]));
    expect(by("long_manual")).toEqual(["overlong-description"]);
    expect(by("daily_brief")).toContain("instruction-override");
    expect(by("backup")).toContain("secrecy");
    const spell = r.findings.find((f) => f.rule === "sensitive-data-request" && f.name === "spell_check")!;
    expect(spell.field).toBe("inputSchema.properties.annotation.description");
    expect(spell.span.end).toBeGreaterThan(spell.span.start);
  });

  it("reports servers that fail to start or time out instead of throwing", async () => {
    expect(await scanServer({ name: "gone", command: ["/nonexistent/server"] }, { timeoutMs: 2000 })).toMatchObject({ status: "failed", error: expect.stringMatching(/ENOENT/) });
    expect(await scanServer({ name: "slow", command: node("slow-server.mjs") }, { timeoutMs: 300 })).toMatchObject({ status: "failed", error: expect.stringMatching(/no reply/) });
    // An unreachable remote server is reported, not fatal (no network here: it fails at once).
    expect(await scanServer({ name: "remote", url: "https://mcp.example/mcp" }, { timeoutMs: 5000 })).toMatchObject({ status: "failed", error: expect.any(String) });
  });

  it("reports pin drift against the lockfile", async () => {
    const dir = tmp();
    const state = path.join(dir, "s.json");
    fs.writeFileSync(state, '{"phase":"before"}');
    const before = await StdioMcpClient.connect(node("rug-pull-server.mjs", state));
    const tools = await before.listAll("tools/list", "tools");
    before.close();
    const pins = { tools: decideDrift(tools, undefined, "allow", "2026-01-01T00:00:00Z").addPins, pending: {} };
    fs.writeFileSync(state, '{"phase":"after"}');
    const r = await scanServer({ name: "weather", command: node("rug-pull-server.mjs", state) }, { pins });
    expect(r.drift).toEqual({ changed: ["get_forecast"], renamed: [], added: ["air_quality"], removed: [] });
    expect(r.findings.filter((f) => f.rule.startsWith("pin-")).map((f) => `${f.severity}:${f.rule}:${f.name}`)).toEqual(["high:pin-changed:get_forecast", "low:pin-new:air_quality"]);
  });

  // The real reference servers: their definitions are benign data. Nothing above low.
  const refServer = (pkg: string) => [process.execPath, path.join(ROOT, "node_modules/@modelcontextprotocol", pkg, "dist/index.js")];
  it.each([
    ["everything", EVERYTHING, 5],
    ["filesystem", FILESYSTEM(os.tmpdir()), 5],
    ["memory", refServer("server-memory"), 5],
    ["sequential-thinking", refServer("server-sequential-thinking"), 0],
  ])("finds nothing above low on the reference server %s", async (name, command, minTools) => {
    const r = await scanServer({ name, command: command as string[] }, { timeoutMs: 20_000 });
    expect(r.status).toBe("ok");
    expect(r.tools.length).toBeGreaterThan(minTools as number);
    expect(r.findings.filter((f) => f.severity !== "low")).toEqual([]);
  });
});

describe("scan of a remote Streamable HTTP server", () => {
  it("connects over HTTP, lists everything, and finds nothing above low on server-everything", async () => {
    const { startEverythingHttp } = await import("../helpers/everything-http.js");
    const everything = await startEverythingHttp();
    try {
      const r = await scanServer({ name: "remote", url: everything.url }, { timeoutMs: 20_000 });
      expect(r.status, r.error).toBe("ok");
      expect(r.tools.length).toBeGreaterThan(5);
      expect(r.findings.filter((f) => f.severity !== "low")).toEqual([]);
    } finally {
      everything.proc.kill();
    }
  });

  it("refuses plain http to a non-loopback host and reports it as failed, not fatal", async () => {
    const r = await scanServer({ name: "far", url: "http://mcp.example.com/mcp" }, { timeoutMs: 2000 });
    expect(r.status).toBe("failed");
    expect(r.error).toMatch(/https/i);
  });
});

describe("reports", () => {
  // The official schema is draft-04; Ajv 8 reads it as draft-07 once the draft-04 `id` becomes `$id`
  // (the schema uses no keyword whose meaning changed between the drafts).
  const { $schema: _draft, id, ...rest } = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"));
  const SCHEMA = { $id: id, ...rest };

  it("writes SARIF 2.1.0 that validates against the schema", async () => {
    const poisoned = await scanServer({ name: "poisoned", command: node("poisoned-server.mjs"), origin: { file: path.join(ROOT, "portcullis.yaml"), line: 3 } });
    const failed = await scanServer({ name: "gone", command: ["/nonexistent/server"] });
    const sarif = JSON.parse(formatSarif(summarise([poisoned, failed]), { cwd: ROOT }));
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    addFormats.default(ajv);
    const validate = ajv.compile(SCHEMA);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const run = sarif.runs[0];
    expect(run.results.length).toBe(poisoned.findings.length);
    expect(run.results[0]).toMatchObject({ level: "error", locations: [{ physicalLocation: { artifactLocation: { uri: "portcullis.yaml" }, region: { startLine: 3 } } }] });
    for (const res of run.results) expect(run.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
    expect(run.tool.driver.rules.every((r: { properties: Record<string, string> }) => Number(r.properties["security-severity"]) > 0)).toBe(true);
    expect(run.invocations[0].toolExecutionNotifications).toEqual([expect.objectContaining({ level: "error", message: { text: expect.stringMatching(/^gone: failed/) } })]);
  });

  it("writes text grouped by server, coloured only when asked", async () => {
    const r = summarise([await scanServer({ name: "poisoned", command: node("poisoned-server.mjs") }), await scanServer({ name: "gone", command: ["/nonexistent/server"] })]);
    const plain = formatText(r, paint(false));
    expect(plain).not.toContain("\u001b[");
    expect(plain).toMatch(/^! poisoned \(poisoned 1\): 10 tools, 2 prompts, 2 resource templates, \d+ findings$/m);
    expect(plain).toMatch(/^ {4}CRITICAL invisible-characters +tool random_quote description\[\d+\.\.\d+\]/m);
    expect(plain).toMatch(/^✗ gone: failed: /m);
    expect(plain).toMatch(/2 servers scanned, 1 failed: 1 critical, \d+ high, 1 medium, 1 low/);
    expect(formatText(r, paint(true))).toContain("\u001b[31m");
  });
});

describe("desktop config import", () => {
  it("reads Claude / Cursor mcpServers and VS Code servers (JSONC), unwrapping portcullis wrap", () => {
    const dir = tmp();
    const claude = path.join(dir, "claude_desktop_config.json");
    fs.writeFileSync(claude, JSON.stringify({ mcpServers: {
      files: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"], env: { A: "1" } },
      guarded: { command: "node", args: ["/opt/portcullis/dist/cli/bin.js", "wrap", "--name", "g", "--", "node", "server.js"] },
      remote: { url: "https://mcp.example/mcp" },
    } }, null, 2));
    const t = importConfig("claude", claude);
    expect(t.map((x) => [x.name, x.command, x.url])).toEqual([
      ["files", ["npx", "-y", "@modelcontextprotocol/server-filesystem", "/tmp"], undefined],
      ["guarded", ["node", "server.js"], undefined],
      ["remote", undefined, "https://mcp.example/mcp"],
    ]);
    expect(t[0]).toMatchObject({ env: { A: "1" }, origin: { file: claude, line: 3 } });

    const vs = path.join(dir, ".vscode", "mcp.json");
    fs.mkdirSync(path.dirname(vs));
    fs.writeFileSync(vs, '{\n  // my servers\n  "servers": {\n    "mem": { "type": "stdio", "command": "node", "args": ["${workspaceFolder}/srv.js"], },\n  },\n}\n');
    expect(importConfig("vscode", vs)).toEqual([{ name: "mem", command: ["node", `${dir}/srv.js`], env: undefined, cwd: undefined, origin: { file: vs, line: 4 } }]);
    expect(() => importConfig("cursor", vs)).toThrow(/not valid JSON/);
  });

  it("knows the default locations per OS", () => {
    expect(defaultConfigPaths("claude", { platform: "darwin", home: "/Users/me" })).toEqual(["/Users/me/Library/Application Support/Claude/claude_desktop_config.json"]);
    expect(defaultConfigPaths("claude", { platform: "linux", home: "/home/me", env: {} })).toEqual(["/home/me/.config/Claude/claude_desktop_config.json"]);
    expect(defaultConfigPaths("claude", { platform: "win32", home: "C:\\Users\\me", env: { APPDATA: "C:\\Users\\me\\AppData\\Roaming" } })[0]).toContain("Claude");
    expect(defaultConfigPaths("cursor", { home: "/h", cwd: "/p" })).toEqual(["/p/.cursor/mcp.json", "/h/.cursor/mcp.json"]);
    expect(defaultConfigPaths("vscode", { platform: "linux", home: "/h", cwd: "/p", env: {} })[0]).toBe("/p/.vscode/mcp.json");
  });

  it("strips comments and trailing commas but not inside strings", () => {
    expect(JSON.parse(stripJsonComments('{"a": "x // y", /* c */ "b": [1,2,],}'))).toEqual({ a: "x // y", b: [1, 2] });
    expect(unwrapPortcullis(["portcullis", "wrap", "-c", "p.yaml", "--", "uvx", "srv"])).toEqual(["uvx", "srv"]);
    expect(unwrapPortcullis(["npx", "wrap-server"])).toEqual(["npx", "wrap-server"]);
  });
});
