import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { EVERYTHING, FILESYSTEM, ROOT } from "../helpers/wrap-harness.js";
import { runCli } from "../helpers/run-cli.js";

const run = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => runCli(main, args, { cwd, env });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-scan-cli-"));
const FIX = path.join(ROOT, "test/fixtures/poisoned-servers");
const q = (a: string[]) => `[${a.map((x) => JSON.stringify(x)).join(", ")}]`;

describe("portcullis scan", () => {
  it("scans every server in a config; text by default; exit 1 on findings at or above --fail-on", async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "portcullis.yaml"), `servers:\n  clean:\n    command: ${q(EVERYTHING)}\n  bad:\n    command: ${q([process.execPath, path.join(FIX, "poisoned-server.mjs")])}\n  broken:\n    command: ["/nonexistent/server"]\n`);
    const r = await run(["scan"], dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^✓ clean \(.*\): 13 tools, \d+ prompts, \d+ resource templates, no findings$/m);
    expect(r.out).toMatch(/^! bad /m);
    expect(r.out).toMatch(/^✗ broken: failed: /m);
    expect(r.out).toMatch(/3 servers scanned, 1 failed: /);
    expect(r.out).not.toContain("\u001b[");
    expect((await run(["scan", "--fail-on", "critical", "-c", "portcullis.yaml"], dir)).code).toBe(1);
  });

  it("scans one command; exit 0 when nothing reaches --fail-on", async () => {
    const dir = tmp();
    const r = await run(["scan", "--format", "json", "--", ...FILESYSTEM(dir)], dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.servers[0]).toMatchObject({ name: "server-filesystem", status: "ok", findings: [] });
    expect(report.summary).toEqual({ servers: 1, failed: 0, skipped: 0, findings: { critical: 0, high: 0, medium: 0, low: 0 } });
    const low = await run(["scan", "--fail-on", "low", "--", process.execPath, path.join(FIX, "poisoned-server.mjs")], dir);
    expect(low.code).toBe(1);
  });

  it("writes SARIF and reports pin drift from the state dir's lockfile", async () => {
    const dir = tmp();
    const state = path.join(dir, "phase.json");
    fs.writeFileSync(state, '{"phase":"before"}');
    const cmd = [process.execPath, path.join(FIX, "rug-pull-server.mjs"), state];
    // Pin as wrap would (mode allow, first use) by scanning nothing but the lockfile: write it via the pins layer's helpers.
    const { decideDrift } = await import("../../src/layers/pins/decide-drift.js");
    const { writeLock } = await import("../../src/layers/pins/pins-lock.js");
    const tools = [{ name: "get_forecast", description: "Returns the weather forecast for a city for the next three days.", inputSchema: { type: "object", properties: { city: { type: "string", description: "City name" } }, required: ["city"] }, annotations: { readOnlyHint: true } }];
    writeLock(path.join(dir, ".portcullis", "pins.lock.json"), { version: 1, servers: { "rug-pull-server": { tools: decideDrift(tools, undefined, "allow", "2026-01-01T00:00:00Z").addPins, pending: {} } } });
    fs.writeFileSync(state, '{"phase":"after"}');
    const r = await run(["scan", "--format", "sarif", "--", ...cmd], dir);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.out);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId).sort()).toEqual(["pin-changed", "pin-new", "pin-new"]);
  });

  it("imports a Claude Desktop config", async () => {
    const dir = tmp();
    const file = path.join(dir, "claude.json");
    fs.writeFileSync(file, JSON.stringify({ mcpServers: { poisoned: { command: process.execPath, args: [path.join(FIX, "poisoned-server.mjs")] }, remote: { url: "https://mcp.example/mcp" } } }));
    const r = await run(["scan", "--import", "claude", file, "--format", "json"], dir);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.servers.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([["poisoned", "ok"], ["remote", "failed"]]);
    expect(report.servers[0].findings.find((f: { severity: string }) => f.severity === "critical")).toMatchObject({ severity: "critical", rule: "invisible-characters", kind: "tool", name: "random_quote" });
  });

  it("exits 2 on usage errors", async () => {
    const dir = tmp();
    expect((await run(["scan"], dir)).code).toBe(2); // no config here
    expect((await run(["scan", "--format", "xml", "--", "x"], dir)).code).toBe(2);
    expect((await run(["scan", "--fail-on", "severe", "--", "x"], dir)).code).toBe(2);
    expect((await run(["scan", "--import", "emacs"], dir)).code).toBe(2);
    expect((await run(["scan", "--import", "cursor", path.join(dir, "missing.json")], dir)).err).toMatch(/no cursor MCP config found/);
    expect((await run(["scan", "-c", "x.yaml", "--", "node"], dir)).code).toBe(2);
    expect((await run(["scan", "--"], dir)).code).toBe(2);
  });
});
