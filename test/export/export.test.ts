import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type OpenAI from "openai";
import type Anthropic from "@anthropic-ai/sdk";
import { describe, expect, expectTypeOf, it } from "vitest";
import { ANTHROPIC_MCP_BETA, buildAnthropicExport, buildOpenAIExport, loadExportConfig, placeholderFor, type AnthropicExport, type OpenAIExport, type OpenAIMcpTool } from "../../src/export/index.js";
import { resolveGuardConfig } from "../../src/library/index.js";

const CONFIG = `
defaults:
  trust: low
servers:
  github:
    url: https://mcp.example.com/github
    trust: medium
    headers:
      Authorization: "Bearer \${GITHUB_TOKEN}"
      X-Team: platform
    tools:
      allow: [search_code, get_issue, create_issue, delete_repo, "list_*"]
      deny: ["delete_*"]
      policies:
        create_issue: { approval: always }
  docs:
    url: https://docs.example.com/mcp
    trust: verified
    headers:
      X-Api-Key: "literal-secret-value-123456"
    tools:
      policies:
        publish_page: { approval: always }
  local:
    command: [node, server.js]
  shady:
    url: https://shady.example.com/mcp
    trust: untrusted
    tools:
      read_only: [lookup]
`;

function load(env: NodeJS.ProcessEnv = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-export-"));
  const file = path.join(dir, "portcullis.yaml");
  fs.writeFileSync(file, CONFIG);
  return loadExportConfig(file, env);
}

describe("export openai", () => {
  it("derives allowed_tools and require_approval from tool policy and trust", () => {
    const { config, headerTemplates } = load();
    const { export: out, warnings } = buildOpenAIExport(config, { headerTemplates });
    const byLabel = Object.fromEntries(out.tools.map((t) => [t.server_label, t]));
    expect(Object.keys(byLabel)).toEqual(["github", "docs", "shady"]);
    // medium trust: read/search run freely; create needs approval (and is configured `always`); delete_* is denied; the list_* glob cannot be expressed.
    expect(byLabel.github).toEqual({
      type: "mcp",
      server_label: "github",
      server_url: "https://mcp.example.com/github",
      allowed_tools: ["search_code", "get_issue", "create_issue"],
      require_approval: { never: { tool_names: ["search_code", "get_issue"] } },
      headers: { Authorization: "Bearer ${GITHUB_TOKEN}", "X-Team": "platform" },
    });
    // verified + open tool set: everything runs, except the tool configured to need approval.
    expect(byLabel.docs).toMatchObject({ require_approval: { always: { tool_names: ["publish_page"] } }, headers: { "X-Api-Key": "${PORTCULLIS_DOCS_X_API_KEY}" } });
    expect(byLabel.docs!.allowed_tools).toBeUndefined();
    // untrusted: only the tool declared read-only, and every call needs approval.
    expect(byLabel.shady).toMatchObject({ allowed_tools: ["lookup"], require_approval: "always" });
    expect(warnings.join("\n")).toMatch(/server "local": skipped; it runs over stdio/);
    expect(warnings.join("\n")).toMatch(/server "github": tools.allow globs list_\*/);
  });

  it("never puts an environment secret in the output", () => {
    const { config, headerTemplates } = load({ GITHUB_TOKEN: "ghp_realsecretrealsecretrealsecret1234" });
    const text = JSON.stringify(buildOpenAIExport(config, { headerTemplates }).export);
    expect(text).not.toContain("ghp_realsecret");
    expect(text).not.toContain("literal-secret-value");
    expect(text).toContain("Bearer ${GITHUB_TOKEN}");
  });

  it("masks literal secrets even without the file's header templates", () => {
    const cfg = resolveGuardConfig({ servers: { api: { url: "https://api.example.com/mcp", headers: { Authorization: "Bearer abc123abc123abc123" } } } });
    expect(buildOpenAIExport(cfg).export.tools[0]!.headers).toEqual({ Authorization: "Bearer ${PORTCULLIS_API_AUTHORIZATION}" });
    expect(placeholderFor("s", "X-Trace", "on")).toBe("on");
  });

  it("is assignable to the openai SDK's Responses tool types", () => {
    const { config, headerTemplates } = load();
    const out: OpenAIExport = buildOpenAIExport(config, { headerTemplates }).export;
    // Compile-time checks against openai's published type definitions (tsc typechecks tests).
    const tools: OpenAI.Responses.Tool[] = out.tools;
    const one: OpenAI.Responses.Tool.Mcp = out.tools[0]!;
    const params: OpenAI.Responses.ResponseCreateParamsNonStreaming = { model: "gpt-test", input: "hi", ...out };
    expectTypeOf<OpenAIMcpTool>().toExtend<OpenAI.Responses.Tool.Mcp>();
    expect(tools.length).toBe(3);
    expect(one.type).toBe("mcp");
    expect(params.tools).toBe(out.tools);
  });
});

describe("export anthropic", () => {
  it("writes mcp_servers and mcp_toolset entries for the current connector beta", () => {
    const { config, headerTemplates } = load();
    const { export: out, warnings } = buildAnthropicExport(config, { headerTemplates });
    expect(out.betas).toEqual([ANTHROPIC_MCP_BETA]);
    expect(out.mcp_servers).toEqual([
      { type: "url", name: "github", url: "https://mcp.example.com/github", authorization_token: "${GITHUB_TOKEN}" },
      { type: "url", name: "docs", url: "https://docs.example.com/mcp" },
      { type: "url", name: "shady", url: "https://shady.example.com/mcp" },
    ]);
    expect(out.tools).toEqual([
      // Allowlist; create_issue needs approval and the connector cannot ask, so it stays off.
      { type: "mcp_toolset", mcp_server_name: "github", default_config: { enabled: false }, configs: { search_code: { enabled: true }, get_issue: { enabled: true } } },
      // Open set on a verified server: all on, except the tool that needs approval.
      { type: "mcp_toolset", mcp_server_name: "docs", default_config: { enabled: true }, configs: { publish_page: { enabled: false } } },
      // Untrusted: every call needs approval; nothing can be enabled.
      { type: "mcp_toolset", mcp_server_name: "shady", default_config: { enabled: false } },
    ]);
    const w = warnings.join("\n");
    expect(w).toMatch(/github.*header X-Team is not sent/);
    expect(w).toMatch(/github": create_issue need approval/);
  });

  it("is assignable to the @anthropic-ai/sdk beta Messages types", () => {
    const { config, headerTemplates } = load();
    const out: AnthropicExport = buildAnthropicExport(config, { headerTemplates }).export;
    const servers: Anthropic.Beta.Messages.BetaRequestMCPServerURLDefinition[] = out.mcp_servers;
    const toolsets: Anthropic.Beta.Messages.BetaMCPToolset[] = out.tools;
    const tools: Anthropic.Beta.Messages.BetaToolUnion[] = out.tools;
    const betas: Anthropic.Beta.AnthropicBeta[] = out.betas;
    const params: Anthropic.Beta.Messages.MessageCreateParamsNonStreaming = { model: "claude-test", max_tokens: 100, messages: [{ role: "user", content: "hi" }], ...out };
    expectTypeOf<typeof ANTHROPIC_MCP_BETA>().toExtend<Anthropic.Beta.AnthropicBeta>();
    expect([servers.length, toolsets.length, tools.length, betas.length]).toEqual([3, 3, 3, 1]);
    expect(params.mcp_servers).toBe(out.mcp_servers);
  });
});
