import path from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVERYTHING, prepare, ROOT, wrapArgs, type Wrapped } from "../helpers/wrap-harness.js";

const MODERN = [process.execPath, path.join(ROOT, "test/fixtures/servers/modern-server.mjs")];
const CONFIG = `
# refuse held calls at once: these clients answer no approval channel
approvals: { no_channel_wait_s: 0 }
servers:
  modern:
    trust: high
    tools: { deny: ["secret_*"] }
`;

async function connectV2(w: Wrapped, command: string[], modern: boolean): Promise<Client> {
  const client = new Client({ name: "portcullis-test-v2", version: "1.0.0" }, modern ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {});
  await client.connect(new StdioClientTransport({ command: process.execPath, args: wrapArgs(w, command), stderr: "ignore", cwd: w.dir }));
  return client;
}

describe.each([
  ["modern (2026-07-28)", true],
  ["legacy (2025-11-25)", false],
])("wrap + v2 fixture server, v2 client, %s era", (_label, modern) => {
  let w: Wrapped;
  let client: Client;
  beforeAll(async () => {
    w = prepare(CONFIG);
    client = await connectV2(w, MODERN, modern);
  });
  afterAll(async () => client?.close());

  it("negotiates the era through the proxy", () => {
    expect(client.getNegotiatedProtocolVersion()).toBe(modern ? "2026-07-28" : "2025-11-25");
  });

  it("filters tools/list and relays an allowed call", async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names.sort()).toEqual(["delete_all", "echo"]);
    const r = await client.callTool({ name: "echo", arguments: { message: "hi" } });
    expect(r.content).toEqual([{ type: "text", text: "Echo: hi" }]);
  });

  it("returns a denial the SDK accepts as a tool result", async () => {
    const r = await client.callTool({ name: "secret_admin", arguments: {} });
    expect(r).toMatchObject({ isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } });
    const held = await client.callTool({ name: "delete_all", arguments: {} });
    expect(held).toMatchObject({ isError: true, _meta: { portcullis: { code: "APPROVAL_REQUIRED" } } });
  });

  it("judges a call without a prior tools/list by fetching the catalog itself", async () => {
    const fresh = await connectV2(w, MODERN, modern);
    try {
      const r = await fresh.callTool({ name: "secret_admin", arguments: {} });
      expect(r).toMatchObject({ isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } });
      const ok = await fresh.callTool({ name: "echo", arguments: { message: "direct" } });
      expect(ok.content).toEqual([{ type: "text", text: "Echo: direct" }]);
    } finally {
      await fresh.close();
    }
  });
});

describe("v2 client (legacy era) + server-everything through wrap", () => {
  it("lists and calls", async () => {
    const w = prepare();
    const client = await connectV2(w, EVERYTHING, false);
    try {
      expect((await client.listTools()).tools.length).toBeGreaterThan(5);
      expect((await client.callTool({ name: "echo", arguments: { message: "v2" } })).content).toEqual([{ type: "text", text: "Echo: v2" }]);
    } finally {
      await client.close();
    }
  });
});
