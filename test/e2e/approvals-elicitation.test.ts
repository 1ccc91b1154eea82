import path from "node:path";
import { Client as ClientV2 } from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioV2 } from "@modelcontextprotocol/client/stdio";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepare, ROOT, wrapArgs, type Wrapped } from "../helpers/wrap-harness.js";

// The fixture server's delete_all is a delete: on trust "high" it needs approval (trust table).
const SERVER = [process.execPath, path.join(ROOT, "test/fixtures/servers/modern-server.mjs")];
const CONFIG = `
servers:
  modern:
    trust: high
`;

type Answer = { action: "accept"; content: { approve: boolean } } | { action: "decline" };

describe("approval by MCP elicitation, real SDK clients through `portcullis wrap`", () => {
  let w: Wrapped;
  beforeAll(() => {
    w = prepare(CONFIG);
  });

  describe("2025-11-25 (v1 SDK client answers elicitation/create)", () => {
    let client: Client;
    const asked: string[] = [];
    let next: Answer = { action: "accept", content: { approve: true } };
    beforeAll(async () => {
      client = new Client({ name: "approver-v1", version: "1.0.0" }, { capabilities: { elicitation: {} } });
      client.setRequestHandler(ElicitRequestSchema, async (req) => {
        asked.push(req.params.message);
        return next;
      });
      await client.connect(new StdioClientTransport({ command: process.execPath, args: wrapArgs(w, SERVER), stderr: "ignore", cwd: w.dir }));
    });
    afterAll(async () => client?.close());

    it("accept: the held call runs", async () => {
      next = { action: "accept", content: { approve: true } };
      const r = await client.callTool({ name: "delete_all", arguments: {} });
      expect(r.isError).toBeFalsy();
      expect(asked.at(-1)).toMatch(/allow `delete_all` on server "modern"/);
      expect(asked.at(-1)).toMatch(/Why approval is needed: .*delete/);
    });

    it("decline: the call is refused and never reaches the server", async () => {
      next = { action: "decline" };
      const r = await client.callTool({ name: "delete_all", arguments: {} });
      expect(r).toMatchObject({ isError: true, _meta: { portcullis: { code: "APPROVAL_REQUIRED" } } });
      expect(JSON.stringify(r.content)).toMatch(/denied by elicitation:client/);
    });

    it("audits request, grant, denial and use with who decided", () => {
      const events = w.auditLines().map((l) => l.event);
      for (const e of ["approval_requested", "approval_granted", "approval_denied", "approval_used"]) expect(events).toContain(e);
      expect(w.auditLines().find((l) => l.event === "approval_granted")).toMatchObject({ tool: "delete_all", details: { decidedBy: "elicitation:client" } });
    });
  });

  describe("2026-07-28 (v2 SDK client fulfils input_required)", () => {
    let client: ClientV2;
    let next: Answer = { action: "accept", content: { approve: true } };
    let asked = 0;
    beforeAll(async () => {
      client = new ClientV2({ name: "approver-v2", version: "1.0.0" }, { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: "2026-07-28" } } });
      client.setRequestHandler("elicitation/create", async () => {
        asked++;
        return next;
      });
      await client.connect(new StdioV2({ command: process.execPath, args: wrapArgs(w, SERVER), stderr: "ignore", cwd: w.dir }));
    });
    afterAll(async () => client?.close());

    it("accept: the retried call runs", async () => {
      expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
      next = { action: "accept", content: { approve: true } };
      const r = await client.callTool({ name: "delete_all", arguments: {} });
      expect(asked).toBe(1);
      expect(r.isError).toBeFalsy();
    });

    it("decline: refused", async () => {
      next = { action: "decline" };
      const r = await client.callTool({ name: "delete_all", arguments: {} });
      expect(r).toMatchObject({ isError: true, _meta: { portcullis: { code: "APPROVAL_REQUIRED" } } });
    });
  });
});
