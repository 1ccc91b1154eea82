import fs from "node:fs";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectV1, prepare, ROOT, type Wrapped } from "../helpers/wrap-harness.js";

// The demo server's get_user returns a customer record with secret fields (the seed's example).
const DEMO = [process.execPath, path.join(ROOT, "examples/demo/demo-server.mjs")];

describe("wrap: secrets are redacted before they reach the client or the audit log", () => {
  let w: Wrapped;
  let client: Client;
  beforeAll(async () => {
    w = prepare("servers:\n  demo:\n    trust: medium\n");
    client = await connectV1(w, DEMO);
  });
  afterAll(async () => client?.close());

  it("redacts secret fields in structuredContent and in JSON text, keeping the rest", async () => {
    const r = await client.callTool({ name: "get_user", arguments: { user_id: "u42" } });
    const structured = r.structuredContent as Record<string, string>;
    expect(structured).toMatchObject({ user_id: "u42", username: "ada", last_login: "2026-11-20T09:14:00Z" });
    for (const k of ["password_hash", "api_key", "credit_card", "internal_notes"]) expect(structured[k]).toMatch(/^\[REDACTED:/);
    const text = JSON.parse((r.content as { text: string }[])[0]!.text) as Record<string, string>;
    expect(text.username).toBe("ada");
    expect(text.api_key).toMatch(/^\[REDACTED:/);
    expect(JSON.stringify(r)).not.toContain("4111 1111 1111 1111");
    const line = w.auditLines().find((l) => l.event === "response_sanitized");
    expect(line).toMatchObject({ tool: "get_user", layer: "redaction", decision: "modify" });
  });

  it("never writes a secret value to the audit log, even from tool arguments", async () => {
    const card = ["4111", "1111", "1111", "1111"].join(" ");
    await client.callTool({ name: "search_docs", arguments: { query: `refund card ${card}` } });
    const log = fs.readFileSync(path.join(w.dir, ".portcullis", "audit.jsonl"), "utf8");
    expect(log).not.toContain(card);
    expect(log).not.toContain("waived fees");
    expect(log).toContain("REDACTED");
  });
});
