import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { runCli } from "../helpers/run-cli.js";

const dirWith = (yaml: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-serve-cli-"));
  fs.writeFileSync(path.join(dir, "portcullis.yaml"), yaml);
  return dir;
};

describe("portcullis serve: refusals at start-up (exit 2, before listening)", () => {
  it("an upstream url over plain http to a non-loopback host", async () => {
    const r = await runCli(main, ["serve", "--port", "0"], { cwd: dirWith("servers:\n  remote: { url: 'http://mcp.example.com/mcp' }\n") });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/servers\.remote: .*https/i);
  });

  it("a server with neither command nor url", async () => {
    const r = await runCli(main, ["serve", "--port", "0"], { cwd: dirWith("servers:\n  empty: { trust: low }\n") });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/servers\.empty has neither `command` nor `url`/);
  });

  it("a non-loopback address without authentication", async () => {
    const r = await runCli(main, ["serve", "--host", "0.0.0.0", "--port", "0"], { cwd: dirWith("servers:\n  s: { command: [x] }\n") });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/refusing to listen on 0\.0\.0\.0 without authentication/);
  });
});
