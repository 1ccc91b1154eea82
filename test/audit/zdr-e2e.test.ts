import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { connectV1, EVERYTHING, prepare } from "../helpers/wrap-harness.js";

// ZDR end to end: after a real `wrap` session, no file Portcullis wrote holds any of the payload.
const MARKER = "ZDRMARKER7f3a9c";
const CONFIG = `
defaults:
  audit: { zdr: true }
servers:
  everything:
    trust: medium
    tools:
      deny: ["get-env", "toggle-*"]
      policies:
        echo: { arguments: { message: { max_length: 60 } } }
`;

function filesUnder(dir: string, depth = 0): string[] {
  if (depth > 6) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p, depth + 1) : e.isFile() ? [p] : [];
  });
}

describe("ZDR mode through wrap", () => {
  it("leaves no payload on disk: audit lines carry metadata only", async () => {
    const w = prepare(CONFIG);
    const client = await connectV1(w, EVERYTHING);
    try {
      // Allowed call: the marker is in the arguments and echoed back in the result.
      const ok = await client.callTool({ name: "echo", arguments: { message: `hello ${MARKER}` } });
      expect(JSON.stringify(ok)).toContain(MARKER);
      // Refused by an argument rule: the marker is in arguments the refusal talks about.
      await client.callTool({ name: "echo", arguments: { message: `${MARKER} `.repeat(10) } });
      // Refused tool: the marker is in the arguments of a call that never runs.
      await client.callTool({ name: "get-env", arguments: { name: MARKER } }).catch(() => undefined);
    } finally {
      await client.close();
    }
    const lines = w.auditLines();
    expect(lines.some((l) => l.event === "tool_call" && l.tool === "echo")).toBe(true);
    expect(lines.some((l) => l.decision === "deny" && l.tool === "echo")).toBe(true);
    expect(lines.some((l) => l.decision === "deny" && l.tool === "get-env")).toBe(true);
    const written = filesUnder(w.dir).filter((f) => f !== w.configPath);
    expect(written.length).toBeGreaterThan(0);
    const leaks = written.filter((f) => fs.readFileSync(f).includes(MARKER));
    expect(leaks.map((f) => `${f}: ${fs.readFileSync(f, "utf8").split("\n").filter((l) => l.includes(MARKER)).join(" | ").slice(0, 400)}`)).toEqual([]);
  });
});
