import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFile, parseConfigText } from "../../src/config/load-config.js";
import { resolveConfig } from "../../src/config/resolve-config.js";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-cfg-onnx-"));
  fs.mkdirSync(path.join(dir, "models", "pg2"), { recursive: true });
  fs.writeFileSync(path.join(dir, "models", "pg2", "model.onnx"), "x");
  fs.writeFileSync(path.join(dir, "models", "pg2", "tokenizer.json"), "{}");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes the config into the temp dir and loads it as the CLI does. */
function load(yaml: string) {
  const file = path.join(dir, "portcullis.yaml");
  fs.writeFileSync(file, yaml);
  return resolveConfig(loadConfigFile(file, {}), { env: {} });
}
function errorOf(yaml: string): string {
  try {
    load(yaml);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a config error");
}

const PG2 = "{ model: models/pg2/model.onnx, tokenizer: models/pg2/tokenizer.json }";

describe("config: injection.classifier", () => {
  it("defaults level: every server inherits it, paths resolved against the config file, defaults applied", () => {
    const cfg = load(`defaults:\n  injection:\n    classifier: ${PG2}\nservers:\n  a: { command: [x] }\n  b: { command: [y], injection: { action: withhold } }\n`);
    for (const name of ["a", "b"]) {
      expect(cfg.servers.get(name)!.injection.classifier).toEqual({ model: path.join(dir, "models/pg2/model.onnx"), tokenizer: path.join(dir, "models/pg2/tokenizer.json"), threshold: 0.5, maxLength: 512, timeoutMs: 1500 });
    }
    expect(cfg.servers.get("b")!.injection.action).toBe("withhold");
  });

  it("per server: its own settings replace the inherited ones, and false turns it off", () => {
    const cfg = load(`defaults:\n  injection:\n    classifier: ${PG2}\nservers:\n  strict:\n    command: [x]\n    injection:\n      classifier: { model: models/pg2/model.onnx, tokenizer: models/pg2/tokenizer.json, threshold: 0.3, injection_labels: [MALICIOUS], max_length: 256, timeout_ms: 800 }\n  trusted:\n    command: [y]\n    injection: { classifier: false }\n`);
    expect(cfg.servers.get("strict")!.injection.classifier).toMatchObject({ threshold: 0.3, injectionLabels: ["MALICIOUS"], maxLength: 256, timeoutMs: 800 });
    expect(cfg.servers.get("trusted")!.injection.classifier).toBeUndefined();
    expect("classifier" in cfg.servers.get("trusted")!.injection).toBe(false);
  });

  it("no classifier anywhere: the key is absent", () => {
    expect("classifier" in load("servers:\n  a: { command: [x] }\n").servers.get("a")!.injection).toBe(false);
  });

  it("a missing model file: the error names the config file, line, key and the path looked for", () => {
    const msg = errorOf("servers:\n  a:\n    command: [x]\n    injection:\n      classifier:\n        model: models/missing.onnx\n        tokenizer: models/pg2/tokenizer.json\n");
    expect(msg).toBe(`${path.join(dir, "portcullis.yaml")}:6:16: servers.a.injection.classifier.model: file not found: ${path.join(dir, "models/missing.onnx")} (relative paths resolve against the config file's directory)`);
  });

  it("a tokenizer path that is a directory is refused at its key", () => {
    const msg = errorOf(`defaults:\n  injection:\n    classifier: { model: models/pg2/model.onnx, tokenizer: models }\n`);
    expect(msg).toMatch(/portcullis\.yaml:3:\d+: defaults\.injection\.classifier\.tokenizer: .*models is not a file/);
  });

  it("schema errors: required keys, ranges, typos with a suggestion", () => {
    const parse = (t: string) => {
      try {
        parseConfigText(t, "/cfg/portcullis.yaml", {});
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    };
    expect(parse("defaults:\n  injection:\n    classifier: { model: m.onnx }\n")).toMatch(/defaults\.injection\.classifier\.tokenizer: expected string \(missing\)/);
    expect(parse("defaults:\n  injection:\n    classifier: { model: m.onnx, tokenizer: t.json, threshold: 1.5 }\n")).toMatch(/:3:\d+: defaults\.injection\.classifier\.threshold/);
    expect(parse("defaults:\n  injection:\n    classifier: { model: m.onnx, tokenizer: t.json, max_lenght: 128 }\n")).toMatch(/defaults\.injection\.classifier\.max_lenght: unknown key \(did you mean `max_length`\?\)/);
    expect(parse("defaults:\n  injection:\n    classifier: { model: m.onnx, tokenizer: t.json, injection_labels: [] }\n")).toMatch(/injection_labels/);
    expect(parse("defaults:\n  injection:\n    classifier: true\n")).toMatch(/:3:17: defaults\.injection\.classifier: expected a mapping or false, got boolean true/);
    // parseConfigText checks no files (it has no directory to resolve them against).
    expect(parse("defaults:\n  injection:\n    classifier: { model: m.onnx, tokenizer: t.json, injection_labels: [1, MALICIOUS] }\n")).toBe("");
  });
});
