import fs from "node:fs";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectV1, FILESYSTEM, prepare, type Wrapped } from "../helpers/wrap-harness.js";

// The real server-filesystem behind `wrap` on default trust (low): reads run, writes need approval.
describe("wrap + server-filesystem", () => {
  let w: Wrapped;
  let client: Client;
  let docs: string;

  beforeAll(async () => {
    w = prepare();
    docs = path.join(w.dir, "docs");
    fs.mkdirSync(docs);
    fs.writeFileSync(path.join(docs, "guide.md"), "# Guide\n");
    fs.writeFileSync(path.join(w.dir, "portcullis.yaml"), `
# refuse held calls at once: these clients answer no approval channel
approvals: { no_channel_wait_s: 0 }
servers:
  files:
    tools:
      deny: ["move_file"]
      policies:
        read_text_file:
          arguments: { path: { pattern: "^${docs.replace(/[.*+?^${}()|[\]\\]/g, "\\\\$&")}/(?!.*\\\\.\\\\.)" } }
`);
    w.configPath = path.join(w.dir, "portcullis.yaml");
    client = await connectV1(w, FILESYSTEM(docs));
  });
  afterAll(async () => client?.close());

  it("lists read and write tools but not denied ones", async () => {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("read_text_file");
    expect(names).toContain("write_file");
    expect(names).not.toContain("move_file");
  });

  it("runs a read-only tool inside the allowed path", async () => {
    const r = await client.callTool({ name: "read_text_file", arguments: { path: path.join(docs, "guide.md") } });
    expect(r.isError).toBeFalsy();
    expect(JSON.stringify(r.content)).toContain("# Guide");
  });

  it("refuses a path outside the argument rule, before the server sees it", async () => {
    const r = await client.callTool({ name: "read_text_file", arguments: { path: path.join(docs, "../portcullis.yaml") } });
    expect(r).toMatchObject({ isError: true, _meta: { portcullis: { code: "ARGUMENT_REJECTED" } } });
  });

  it("holds a side-effecting call for approval (denied without a channel) and writes nothing", async () => {
    const target = path.join(docs, "new.md");
    const r = await client.callTool({ name: "write_file", arguments: { path: target, content: "pwned" } });
    expect(r).toMatchObject({ isError: true, _meta: { portcullis: { code: "APPROVAL_REQUIRED", layer: "server-trust" } } });
    expect(fs.existsSync(target)).toBe(false);
    expect(w.auditLines().some((l) => l.event === "approval_denied" && l.tool === "write_file")).toBe(true);
  });
});
