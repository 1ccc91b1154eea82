import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/wrap-harness.js";

// README's main command (`npm start`) and the wrap demo must keep working on a fresh clone.
const run = (script: string) => spawnSync(process.execPath, [path.join(ROOT, "examples/demo", script), "--once"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });

describe("demos", () => {
  it("npm start: serve + API key + scripted client show each layer's decision", () => {
    const r = run("run-demo.mjs");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/api key: pcl_[0-9a-f]{12}_\w+/);
    expect(r.stdout).toMatch(/hidden: +run_shell/);
    for (const code of ["ARGUMENT_REJECTED", "APPROVAL_REQUIRED", "TOOL_DENIED", "CALL_CAP_EXCEEDED", "INJECTION_DETECTED"]) expect(r.stdout).toContain(code);
    expect(r.stdout).toContain("[REDACTED:api_key]");
    expect(r.stdout).not.toContain("4111 1111 1111 1111");
  });

  it("npm run demo:wrap: the same policy through the stdio wrapper", () => {
    const r = run("run-wrap-demo.mjs");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("CALL_CAP_EXCEEDED");
    expect(r.stdout).toMatch(/hidden: +run_shell/);
  });
});
