import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Client as ClientV2 } from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioClientTransportV2 } from "@modelcontextprotocol/client/stdio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGuard, guardTransport, MemoryAuditLog, type Guard } from "../../src/library/index.js";
import type { AuditEntry } from "../../src/audit/audit-record.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const EVERYTHING = path.join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const MODERN = path.join(ROOT, "test/fixtures/servers/modern-server.mjs");

// The same policy test/e2e/wrap-everything.test.ts runs through `portcullis wrap`, here in-process.
const CONFIG = {
  servers: {
    everything: {
      trust: "medium" as const,
      tools: {
        deny: ["get-env", "toggle-*"],
        policies: {
          echo: { arguments: { message: { max_length: 20 } } },
          "get-sum": { max_calls_per_session: 2 },
          "trigger-long-running-operation": { approval: "never" as const },
        },
      },
    },
  },
};

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-guard-state-"));
const meta = (r: Record<string, unknown>) => (r._meta as { portcullis: { code: string; layer: string; auditId: string } } | undefined)?.portcullis;

describe("createGuard + v1 SDK Client + StdioClientTransport (server-everything, no proxy process)", () => {
  let guard: Guard;
  let audit: MemoryAuditLog;
  let client: Client;
  let direct: Client;

  beforeAll(async () => {
    audit = new MemoryAuditLog();
    guard = createGuard(CONFIG, { audit, stateDir: tmpDir() });
    client = new Client({ name: "guard-test", version: "1.0.0" }, { capabilities: {} });
    await client.connect(guard.wrap(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, "stdio"], stderr: "ignore" })));
    direct = new Client({ name: "direct", version: "1.0.0" }, { capabilities: {} });
    await direct.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, "stdio"], stderr: "ignore" }));
  });
  afterAll(async () => {
    await client?.close();
    await direct?.close();
    await guard?.close();
  });

  it("does not list denied tools", async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("echo");
    expect(names).not.toContain("get-env");
    expect(names.filter((n) => n.startsWith("toggle-"))).toEqual([]);
    const all = (await direct.listTools()).tools.map((t) => t.name);
    expect(all).toContain("get-env"); // the server does offer it
  });

  it("relays an allowed call and audits it", async () => {
    const r = await client.callTool({ name: "echo", arguments: { message: "hello" } });
    expect(r.content).toEqual([{ type: "text", text: "Echo: hello" }]);
    expect(audit.entries.find((e) => e.event === "tool_call" && e.tool === "echo")).toMatchObject({ decision: "allow", ok: true, args: { message: "hello" }, server: "everything" });
  });

  it("refuses a denied tool with a reason and an audit id", async () => {
    const r = await client.callTool({ name: "get-env", arguments: {} });
    expect(r.isError).toBe(true);
    expect(meta(r)).toMatchObject({ layer: "tool-policy", code: "TOOL_DENIED" });
    expect((r.content as { text: string }[])[0]!.text).toMatch(/Portcullis blocked `get-env`/);
    expect(audit.entries.find((e) => e.event === "access_denied" && e.tool === "get-env")).toMatchObject({ decision: "deny", code: "TOOL_DENIED" });
  });

  it("enforces argument rules and per-session call caps", async () => {
    const bad = await client.callTool({ name: "echo", arguments: { message: "x".repeat(21) } });
    expect(meta(bad)).toMatchObject({ code: "ARGUMENT_REJECTED", layer: "arguments" });
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const r = await client.callTool({ name: "get-sum", arguments: { a: 1, b: i } });
      codes.push(r.isError ? meta(r)!.code : "ok");
    }
    expect(codes).toEqual(["ok", "ok", "CALL_CAP_EXCEEDED"]);
  });

  it("passes resources and prompts through untouched", async () => {
    expect(await client.listResources()).toEqual(await direct.listResources());
    expect(await client.getPrompt({ name: "simple-prompt" })).toEqual(await direct.getPrompt({ name: "simple-prompt" }));
  });
});

describe("approval: holds go to the approver, refusals are fail-closed", () => {
  const cfg = { servers: { everything: { trust: "low" as const, tools: { allow: ["echo", "get-sum"], policies: { "get-sum": { approval: "always" as const } } } } } };

  it("refuses a held call without an approver and runs it once approved", async () => {
    const audit = new MemoryAuditLog();
    const asked: string[] = [];
    const guard = createGuard(cfg, { audit, stateDir: tmpDir() });
    const refused = new Client({ name: "a", version: "1" });
    await refused.connect(guard.wrap(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, "stdio"], stderr: "ignore" })));
    const approved = new Client({ name: "b", version: "1" });
    await approved.connect(guard.wrap(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, "stdio"], stderr: "ignore" }), {
      approve: (req) => {
        asked.push(`${req.tool}:${JSON.stringify(req.arguments)}:${req.reasons[0]!.rule}`);
        return req.tool === "get-sum";
      },
    }));
    try {
      const r1 = await refused.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } });
      expect(meta(r1)).toMatchObject({ code: "APPROVAL_REQUIRED" });
      const r2 = await approved.callTool({ name: "get-sum", arguments: { a: 1, b: 2 } });
      expect(r2.isError).toBeFalsy();
      expect(JSON.stringify(r2.content)).toContain("3");
      expect(asked).toEqual(['get-sum:{"a":1,"b":2}:approval-always']);
      expect(audit.entries.some((e: AuditEntry) => e.event === "approval_granted" && e.tool === "get-sum")).toBe(true);
    } finally {
      await refused.close();
      await approved.close();
      await guard.close();
    }
  });
});

describe("guardTransport + v2 SDK Client (both protocol eras)", () => {
  for (const modern of [true, false]) {
    it(`filters and relays in the ${modern ? "modern" : "legacy"} era`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-guard-"));
      const file = path.join(dir, "portcullis.yaml");
      fs.writeFileSync(file, "servers:\n  modern:\n    trust: high\n    tools: { deny: [\"secret_*\"] }\n");
      const client = new ClientV2({ name: "v2", version: "1.0.0" }, modern ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {});
      await client.connect(guardTransport(new StdioClientTransportV2({ command: process.execPath, args: [MODERN], stderr: "ignore" }), { config: file }));
      try {
        expect(client.getNegotiatedProtocolVersion()).toBe(modern ? "2026-07-28" : "2025-11-25");
        expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(["delete_all", "echo"]);
        const ok = await client.callTool({ name: "echo", arguments: { message: "hi" } });
        expect(ok.content).toEqual([{ type: "text", text: "Echo: hi" }]);
        const denied = await client.callTool({ name: "secret_admin", arguments: {} });
        expect(denied).toMatchObject({ isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } });
      } finally {
        await client.close();
      }
      // The one-off guard wrote its audit beside the config file.
      const lines = fs.readFileSync(path.join(dir, ".portcullis", "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.some((l) => l.tool === "secret_admin" && l.decision === "deny")).toBe(true);
    });
  }
});

describe("config errors", () => {
  it("rejects an invalid config object with the key and allowed values", () => {
    expect(() => createGuard({ servers: { x: { trust: "sorta" } } } as never, { audit: false })).toThrow(/servers\.x\.trust: invalid value; allowed: untrusted, low/);
  });
  it("requires a server name when the config has several", () => {
    expect(() => createGuard({ servers: { a: {}, b: {} } }, { audit: false })).toThrow(/pick one with the `server` option/);
  });
});
