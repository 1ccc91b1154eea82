import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectV1, EVERYTHING, prepare, type Wrapped } from "../helpers/wrap-harness.js";

// The real server-everything behind `wrap`, driven by the real v1 SDK client.
const CONFIG = `
servers:
  everything:
    trust: medium
    tools:
      deny: ["get-env", "toggle-*"]
      policies:
        echo: { arguments: { message: { max_length: 20 } } }
        get-sum: { max_calls_per_session: 2 }
        trigger-long-running-operation: { approval: never }
`;

describe("wrap + server-everything (legacy era, v1 client)", () => {
  let w: Wrapped;
  let client: Client;
  let direct: Client;

  beforeAll(async () => {
    w = prepare(CONFIG);
    client = await connectV1(w, EVERYTHING);
    direct = await connectV1({ ...w, configPath: undefined }, EVERYTHING); // unconfigured: defaults only
  });
  afterAll(async () => {
    await client?.close();
    await direct?.close();
  });

  it("does not list denied tools", async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("echo");
    expect(names).not.toContain("get-env");
    expect(names.filter((n) => n.startsWith("toggle-"))).toEqual([]);
  });

  it("relays an allowed call and audits it", async () => {
    const r = await client.callTool({ name: "echo", arguments: { message: "hello" } });
    expect(r.content).toEqual([{ type: "text", text: "Echo: hello" }]);
    const line = w.auditLines().find((l) => l.event === "tool_call" && l.tool === "echo");
    expect(line).toMatchObject({ decision: "allow", ok: true, args: { message: "hello" }, server: "everything" });
    expect(typeof line!.latency_ms).toBe("number");
  });

  it("refuses a denied tool with a reason and an audit id that points at the audit line", async () => {
    const r = await client.callTool({ name: "get-env", arguments: {} });
    expect(r.isError).toBe(true);
    const meta = (r._meta as { portcullis: { code: string; auditId: string; layer: string } }).portcullis;
    expect(meta).toMatchObject({ layer: "tool-policy", code: "TOOL_DENIED" });
    expect((r.content as { text: string }[])[0]!.text).toMatch(/Portcullis blocked `get-env`/);
    const seq = Number(meta.auditId.split("_")[1]);
    expect(w.auditLines().find((l) => l.seq === seq)).toMatchObject({ event: "access_denied", tool: "get-env", decision: "deny" });
  });

  it("enforces argument rules", async () => {
    const r = await client.callTool({ name: "echo", arguments: { message: "x".repeat(21) } });
    expect(r).toMatchObject({ isError: true, _meta: { portcullis: { code: "ARGUMENT_REJECTED", layer: "arguments" } } });
  });

  it("enforces per-session call caps", async () => {
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const r = await client.callTool({ name: "get-sum", arguments: { a: 1, b: i } });
      codes.push(r.isError ? (r._meta as { portcullis: { code: string } }).portcullis.code : "ok");
    }
    expect(codes).toEqual(["ok", "ok", "CALL_CAP_EXCEEDED"]);
  });

  it("passes resources and prompts through untouched", async () => {
    expect(await client.listResources()).toEqual(await direct.listResources());
    expect(await client.listPrompts()).toEqual(await direct.listPrompts());
    const uri = (await direct.listResources()).resources[0]!.uri;
    expect(await client.readResource({ uri })).toEqual(await direct.readResource({ uri }));
    expect(await client.getPrompt({ name: "simple-prompt" })).toEqual(await direct.getPrompt({ name: "simple-prompt" }));
  });

  it("passes progress notifications through", async () => {
    const progress: number[] = [];
    const r = await client.callTool({ name: "trigger-long-running-operation", arguments: { duration: 1, steps: 4 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(r.isError).toBeFalsy();
    expect(progress.length).toBeGreaterThanOrEqual(1);
  });

  it("writes a hash chain: each line's prev is the previous line's hash", () => {
    const lines = w.auditLines();
    expect(lines.length).toBeGreaterThan(3);
    for (let i = 1; i < lines.length; i++) {
      expect(lines[i]!.seq).toBe((lines[i - 1]!.seq as number) + 1);
      expect(lines[i]!.prev).toBe(lines[i - 1]!.hash);
    }
  });
});
