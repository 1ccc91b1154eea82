import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../src/config/load-config.js";
import { resolveConfig } from "../../src/config/resolve-config.js";

const parse = (text: string, env: NodeJS.ProcessEnv = {}) => parseConfigText(text, "/cfg/portcullis.yaml", env);
const errorOf = (text: string, env: NodeJS.ProcessEnv = {}) => {
  try {
    parse(text, env);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a config error");
};

describe("config loading", () => {
  it("accepts the SPEC example shape", () => {
    const cfg = parse(`
defaults: { trust: low, max_response_kb: 512 }
servers:
  files:
    command: [npx, -y, server-filesystem, /srv/docs]
    trust: medium
    tools:
      allow: ["read_*"]
      deny: ["*delete*"]
      max_tools: 20
      policies:
        write_file: { approval: always, max_calls_per_session: 5, arguments: { path: { pattern: "^/srv/docs/" } } }
  search:
    url: https://mcp.example.com/mcp
    headers: { Authorization: "Bearer \${TOKEN}" }
    trust: untrusted
    tools: { require_prefix: "search_" }
`, { TOKEN: "t0k" });
    const r = resolveConfig({ file: "/cfg/portcullis.yaml", baseDir: "/cfg", raw: cfg }, { env: {} });
    const files = r.servers.get("files")!;
    expect(files).toMatchObject({ trust: "medium", maxResponseBytes: 512 * 1024, cwd: "/cfg" });
    expect(r.servers.get("search")!.headers).toEqual({ Authorization: "Bearer t0k" });
    expect(r.servers.get("search")!.injection.action).toBe("withhold"); // untrusted default
    expect(r.auditPath).toBe("/cfg/.portcullis/audit.jsonl");
  });

  it("names file, line, key and the allowed values for a bad enum", () => {
    const msg = errorOf("servers:\n  a:\n    command: [x]\n    trust: mediun\n");
    expect(msg).toContain("/cfg/portcullis.yaml:4:12");
    expect(msg).toContain("servers.a.trust");
    expect(msg).toContain("untrusted, low, medium, high, verified");
  });

  it("suggests the right key for a typo", () => {
    const msg = errorOf("servers:\n  a:\n    command: [x]\n    tools:\n      alow: [x]\n");
    expect(msg).toMatch(/portcullis\.yaml:5:7: servers\.a\.tools\.alow: unknown key \(did you mean `allow`\?\)/);
  });

  it("reports wrong types with what was given", () => {
    expect(errorOf("defaults:\n  timeout_s: soon\n")).toMatch(/:2:14: defaults\.timeout_s: expected number, got string "soon"/);
  });

  it("serve.idle_timeout_s: accepted when positive, refused otherwise with file and line", () => {
    expect(parse("serve:\n  idle_timeout_s: 60\n").serve?.idle_timeout_s).toBe(60);
    expect(errorOf("serve:\n  idle_timeout_s: 0\n")).toMatch(/portcullis\.yaml:2:\d+: serve\.idle_timeout_s/);
  });

  it("rejects invalid regular expressions in argument rules", () => {
    expect(errorOf("servers:\n  a:\n    tools:\n      policies:\n        t: { arguments: { p: { pattern: '([' } } }\n")).toMatch(/pattern: not a valid regular expression/);
  });

  it("reports YAML syntax errors with a position", () => {
    expect(errorOf("servers: [\n")).toMatch(/portcullis\.yaml:\d+:\d+: YAML syntax error/);
  });

  it("interpolates env vars, with fallbacks, and names a missing one", () => {
    expect(parse("defaults: { trust: '${T:-high}' }").defaults?.trust).toBe("high");
    expect(errorOf("servers:\n  a:\n    url: https://x/${MISSING_VAR}\n")).toMatch(/:3:10: environment variable MISSING_VAR is not set/);
  });

  it("refuses server names that would make /mcp's <server>__<tool> names ambiguous, naming file and line", () => {
    expect(errorOf("servers:\n  ok: { command: [x] }\n  my__srv: { command: [x] }\n")).toMatch(/portcullis\.yaml:3:\d+: servers\.my__srv: server name "my__srv" must not contain "__" or end with "_"/);
    expect(errorOf("servers:\n  srv_: { command: [x] }\n")).toMatch(/portcullis\.yaml:2:\d+: servers\.srv_: .*end with "_"/);
    expect(parse("servers:\n  my_srv-2: { command: [x] }\n").servers).toHaveProperty("my_srv-2");
  });

  it("refuses a server with both command and url", () => {
    expect(errorOf("servers:\n  a: { command: [x], url: 'https://x' }\n")).toMatch(/either `command` or `url`/);
  });
});
