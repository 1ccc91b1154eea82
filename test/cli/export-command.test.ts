import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { exportCommand } from "../../src/cli/commands/export.js";
import { main } from "../../src/cli/main.js";
import { runCli } from "../helpers/run-cli.js";

const run = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, via: "command" | "main" = "command") =>
  via === "main" ? runCli(main, ["export", ...args], { cwd, env }) : runCli(exportCommand, args, { cwd, env });

const CONFIG = `
servers:
  remote:
    url: https://mcp.example.com/mcp
    trust: medium
    headers: { Authorization: "Bearer \${REMOTE_TOKEN}" }
    tools:
      allow: [search_docs, send_email]
  local:
    command: [node, server.js]
`;

function dirWithConfig(text = CONFIG): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-export-cli-"));
  fs.writeFileSync(path.join(dir, "portcullis.yaml"), text);
  return dir;
}

describe("portcullis export", () => {
  it("prints OpenAI mcp tools from ./portcullis.yaml, warnings on stderr", async () => {
    const r = await run(["openai"], dirWithConfig(), { REMOTE_TOKEN: "secret-from-env-0123456789" }, "main");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { tools: Record<string, unknown>[] };
    expect(out.tools).toEqual([{
      type: "mcp", server_label: "remote", server_url: "https://mcp.example.com/mcp",
      allowed_tools: ["search_docs", "send_email"],
      require_approval: { never: { tool_names: ["search_docs"] } },
      headers: { Authorization: "Bearer ${REMOTE_TOKEN}" },
    }]);
    expect(r.out).not.toContain("secret-from-env");
    expect(r.err).toMatch(/warning: server "local": skipped/);
  });

  it("prints the Anthropic connector config with -c", async () => {
    const dir = dirWithConfig();
    const r = await run(["anthropic", "-c", path.join(dir, "portcullis.yaml"), "--server", "remote"], os.tmpdir());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      betas: ["mcp-client-2025-11-20"],
      mcp_servers: [{ type: "url", name: "remote", url: "https://mcp.example.com/mcp", authorization_token: "${REMOTE_TOKEN}" }],
      tools: [{ type: "mcp_toolset", mcp_server_name: "remote", default_config: { enabled: false }, configs: { search_docs: { enabled: true } } }],
    });
    expect(r.err).toMatch(/send_email need approval/);
  });

  it("exits 1 when no server is reachable by URL, 2 on usage errors", async () => {
    expect((await run(["openai"], dirWithConfig("servers:\n  local:\n    command: [node, s.js]\n"))).code).toBe(1);
    await expect(run(["gemini"], dirWithConfig())).rejects.toThrow(/unknown export target "gemini"/);
    await expect(run(["openai"], fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-empty-")))).rejects.toThrow(/no config/);
    const viaMain = await run(["gemini"], dirWithConfig(), {}, "main");
    expect(viaMain.code).toBe(2);
  });
});
