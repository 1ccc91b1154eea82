import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { runCli } from "../helpers/run-cli.js";
import { connectV1, EVERYTHING, prepare, wrapArgs, type Wrapped } from "../helpers/wrap-harness.js";
import { writeTinyClassifier } from "../helpers/tiny-onnx.js";

// The real server-everything's echo tool behind the built `portcullis wrap`, with a classifier the
// test builds (tiny-onnx.ts: "pwned" drives its MALICIOUS logit). The built-in detector sees nothing
// in "Echo: the report is ready pwned", so anything that happens to it is the classifier's doing.
const config = (action: string, extra = "") => `
servers:
  everything:
    trust: verified
    injection:
      action: ${action}
      classifier: { model: models/model.onnx, tokenizer: models/tokenizer.json${extra} }
`;
const textOf = (r: unknown) => ((r as { content: { text: string }[] }).content).map((c) => c.text).join("\n");

describe("wrap: an ONNX classifier in the injection layer", () => {
  let block: Wrapped;
  let client: Client;

  beforeAll(async () => {
    block = prepare(config("block"));
    writeTinyClassifier(path.join(block.dir, "models"));
    client = await connectV1(block, EVERYTHING);
  });
  afterAll(async () => {
    await client?.close();
  });

  it("blocks a tool result flagged only by the classifier; the audit line names rule \"classifier\", not the text", async () => {
    const r = await client.callTool({ name: "echo", arguments: { message: "the report is ready pwned" } });
    expect(r).toMatchObject({ isError: true, _meta: { portcullis: { layer: "injection", code: "INJECTION_DETECTED" } } });
    expect(textOf(r)).not.toContain("pwned");
    const line = block.auditLines().find((l) => l.event === "injection_detected")!;
    expect(line).toMatchObject({ tool: "echo", decision: "deny", severity: "high", layer: "injection" });
    const details = line.details as { rules: string[]; score: number; classifier_threshold: number; reasons: { rule: string; part: string }[] };
    expect(details.rules).toEqual(["classifier"]);
    expect(details.reasons).toEqual([{ part: "content[0].text", rule: "classifier", start: 0, end: "Echo: the report is ready pwned".length }]);
    expect(details.score).toBeGreaterThan(0.95);
    expect(details.classifier_threshold).toBe(0.5);
    expect(JSON.stringify(line.details)).not.toContain("pwned");
  });

  it("relays ordinary results unchanged", async () => {
    const r = await client.callTool({ name: "echo", arguments: { message: "hello world" } });
    expect(r.content).toEqual([{ type: "text", text: "Echo: hello world" }]);
  });

  it("withhold: the classifier's find is replaced by a notice naming the tool", async () => {
    const w = prepare(config("withhold", ", threshold: 0.9"));
    writeTinyClassifier(path.join(w.dir, "models"));
    const c = await connectV1(w, EVERYTHING);
    try {
      const r = await c.callTool({ name: "echo", arguments: { message: "pwned" } });
      expect(r.isError).toBeFalsy();
      expect(textOf(r)).toMatch(/echo/);
      expect(textOf(r)).not.toContain("pwned");
      expect(w.auditLines().find((l) => l.event === "injection_detected")).toMatchObject({ decision: "modify", details: { rules: ["classifier"], action: "withhold", classifier_threshold: 0.9 } });
    } finally {
      await c.close();
    }
  });

  it("a corrupted model stops wrap at startup: exit 2, the model file named", () => {
    const w = prepare(config("block"));
    const files = writeTinyClassifier(path.join(w.dir, "models"));
    fs.writeFileSync(files.model, "not an onnx model");
    const r = spawnSync(process.execPath, wrapArgs(w, EVERYTHING), { cwd: w.dir, encoding: "utf8", input: "", timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`server "everything": injection.classifier: cannot load the ONNX model ${files.model}`);
    expect(r.stdout).toBe("");
  });

  it("a missing model file is a config error naming the file, line and key", () => {
    const w = prepare(config("block"));
    const r = spawnSync(process.execPath, wrapArgs(w, EVERYTHING), { cwd: "/", encoding: "utf8", input: "", timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${w.configPath}:7:28: servers.everything.injection.classifier.model: file not found: ${path.join(w.dir, "models/model.onnx")}`);
  });

  it("serve loads classifiers before listening: a broken one is refused at start-up", async () => {
    const w = prepare(`servers:\n  a:\n    command: [x]\n    injection:\n      classifier: { model: models/model.onnx, tokenizer: models/tokenizer.json, injection_labels: [MALICIOUS] }\n`);
    writeTinyClassifier(path.join(w.dir, "models"));
    const r = await runCli(main, ["serve", "--port", "0", "--state-dir", path.join(w.dir, ".portcullis")], { cwd: w.dir });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/server "a": injection.classifier \(.*model.onnx\): injection label "MALICIOUS" is a name, but there is no config.json with id2label/);
  });
});
