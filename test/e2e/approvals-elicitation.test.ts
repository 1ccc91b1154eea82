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

describe("approval by MCP elicitation through `portcullis serve` (2025-11-25 session, no GET stream)", () => {
  it("the elicitation request rides on the pending POST (upgraded to SSE); accept runs the call, decline refuses it", async () => {
    const { startGateway } = await import("../../src/transport/http/gateway.js");
    const { resolveServerPolicy } = await import("../../src/config/resolve-server-policy.js");
    const { defaultLayers } = await import("../../src/layers/default-layers.js");
    const { Pipeline } = await import("../../src/pipeline/pipeline.js");
    const { ApprovalBroker } = await import("../../src/approvals/approval-broker.js");
    const { ApprovalStore } = await import("../../src/approvals/approval-store.js");
    const { attachApprovals } = await import("../../src/approvals/broker-registry.js");
    const { MemoryStore } = await import("../../src/store/memory-store.js");
    const { MemoryAudit } = await import("../helpers/memory-audit.js");
    const { tmpStateDir } = await import("../helpers/temp-dir.js");
    const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js");

    const server = resolveServerPolicy("modern", { command: SERVER, trust: "low" }, undefined, process.cwd());
    const audit = new MemoryAudit();
    const pipeline = attachApprovals(new Pipeline(defaultLayers(server, { stateDir: tmpStateDir() })), new ApprovalBroker({ store: new ApprovalStore(new MemoryStore()), audit, secret: Buffer.alloc(32, 7), settings: { channels: ["elicitation"], timeoutMs: 5000 } }));
    const gw = await startGateway({ routes: new Map([["modern", { server, pipeline }]]), audit, host: "127.0.0.1", port: 0, log: () => {} });
    const client = new Client({ name: "approver-http", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    let next: Answer = { action: "accept", content: { approve: true } };
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      asked.push(req.params.message);
      return next;
    });
    try {
      // A client without a GET stream (many have none): the request must come on the POST itself.
      const noGetStream = (url: string | URL, init?: RequestInit) => (init?.method === "GET" ? Promise.resolve(new Response(null, { status: 405 })) : fetch(url, init));
      await client.connect(new StreamableHTTPClientTransport(new URL(`${gw.url}/mcp/modern`), { fetch: noGetStream }));
      const ok = await client.callTool({ name: "delete_all", arguments: {} });
      expect(ok.isError).toBeFalsy();
      expect(asked.at(-1)).toMatch(/allow `delete_all`/);
      next = { action: "decline" };
      expect(await client.callTool({ name: "delete_all", arguments: {} })).toMatchObject({ isError: true, _meta: { portcullis: { code: "APPROVAL_REQUIRED" } } });
    } finally {
      await client.close();
      await gw.close();
    }
  });
});
