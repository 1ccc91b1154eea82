import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { runCli } from "../helpers/run-cli.js";

const run = (args: string[], cwd: string) => runCli(main, args, { cwd });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-cli-"));

describe("portcullis config", () => {
  it("init writes a starter config that check accepts", async () => {
    const dir = tmp();
    expect((await run(["config", "init"], dir)).code).toBe(0);
    const check = await run(["config", "check"], dir);
    expect(check.code).toBe(0);
    expect(check.out).toMatch(/portcullis\.yaml: OK \(1 server\)/);
    expect((await run(["config", "init"], dir)).code).toBe(2); // refuses to overwrite
  });

  it("check exits 2 and names file, line and key on an invalid config", async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "bad.yaml"), "servers:\n  a:\n    trust: sort-of\n");
    const r = await run(["config", "check", "bad.yaml"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path.join(dir, "bad.yaml")}:3:12: servers.a.trust: invalid value; allowed: untrusted, low, medium, high, verified`);
  });

  it("schema prints a JSON Schema describing the config", async () => {
    const r = await run(["config", "schema"], tmp());
    const schema = JSON.parse(r.out);
    expect(schema.properties.servers).toBeDefined();
    expect(JSON.stringify(schema)).toContain("untrusted");
  });
});

describe("portcullis CLI", () => {
  it("unknown commands and bad flags are usage errors (exit 2)", async () => {
    expect((await run(["frobnicate"], tmp())).code).toBe(2);
    const r = await run(["wrap", "--bogus"], tmp());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bogus/);
  });

  it("wrap without a server command says what to do", async () => {
    const r = await run(["wrap"], tmp());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no server command: give one after `--`/);
  });

  it("wrap --name with an unknown server lists the known ones", async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "portcullis.yaml"), "servers:\n  files: { command: [x] }\n");
    const r = await run(["wrap", "--name", "nope", "--", "x"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no server named "nope".*known: files/);
  });
});
