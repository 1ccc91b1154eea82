import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { discoverChains } from "../../src/audit/chain-files.js";
import { JsonlAuditLog } from "../../src/audit/jsonl-audit-log.js";
import { verifyChain } from "../../src/audit/verify-chain.js";
import { readLines, tmpDir } from "./audit-test-helpers.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("rotation", () => {
  it("rotates by size and keeps one chain across files", async () => {
    const dir = tmpDir();
    const file = path.join(dir, "audit.jsonl");
    const log = new JsonlAuditLog(file, { rotate: { maxBytes: 600 } });
    for (let i = 0; i < 12; i++) {
      log.record({ event: "tool_call", severity: "info", tool: `t${i}` });
      log.flush(); // one flush per line so rotation can happen between them
    }
    await log.close();
    const [chain] = discoverChains(file);
    expect(chain!.files.length).toBeGreaterThan(2);
    expect(path.basename(chain!.files[0]!)).toBe("audit.000000000001.jsonl");
    expect(chain!.files.at(-1)).toBe(file);
    for (const f of chain!.files) expect(fs.statSync(f).size).toBeLessThanOrEqual(600);
    const r = verifyChain(chain!.files);
    expect(r).toMatchObject({ ok: true, lines: 12, lastSeq: 12 });

    // A restart right after a rotation (no active file yet) continues the chain from the newest segment.
    fs.renameSync(file, path.join(dir, "audit.000000000011.jsonl"));
    const again = new JsonlAuditLog(file, { rotate: { maxBytes: 600 } });
    again.record({ event: "tool_call", severity: "info", tool: "after_restart" });
    await again.close();
    expect(verifyChain(discoverChains(file)[0]!.files)).toMatchObject({ ok: true, lastSeq: 13 });
  });

  it("rotates when the UTC day changes", async () => {
    const dir = tmpDir();
    const file = path.join(dir, "audit.jsonl");
    let now = new Date("2026-03-01T23:59:00Z");
    const log = new JsonlAuditLog(file, { rotate: { daily: true }, now: () => now });
    log.record({ event: "tool_call", severity: "info" });
    log.flush();
    now = new Date("2026-03-02T00:01:00Z");
    log.record({ event: "tool_call", severity: "info" });
    await log.close();
    const files = discoverChains(file)[0]!.files;
    expect(files.map((f) => path.basename(f))).toEqual(["audit.000000000001.jsonl", "audit.jsonl"]);
    expect(verifyChain(files).ok).toBe(true);
  });

  it("detects a truncated or deleted segment", async () => {
    const dir = tmpDir();
    const file = path.join(dir, "audit.jsonl");
    const log = new JsonlAuditLog(file, { rotate: { maxBytes: 500 } });
    for (let i = 0; i < 10; i++) {
      log.record({ event: "tool_call", severity: "info", tool: `t${i}` });
      log.flush();
    }
    await log.close();
    const files = discoverChains(file)[0]!.files;
    const firstLen = readLines(files[0]!).length;
    fs.writeFileSync(files[0]!, readLines(files[0]!).slice(0, -1).map((l) => `${l}\n`).join(""));
    expect(verifyChain(files).finding).toMatchObject({ kind: "truncated", file: files[1], line: 1, seq: firstLen + 1 });
    fs.rmSync(files[1]!);
    const rest = discoverChains(file)[0]!.files;
    expect(verifyChain(rest).ok).toBe(false);
  });
});

describe("one writer per chain file", () => {
  it("a second writer in the same process gets a sibling chain; both verify", async () => {
    const dir = tmpDir();
    const file = path.join(dir, "audit.jsonl");
    const a = new JsonlAuditLog(file);
    const b = new JsonlAuditLog(file);
    expect(a.path).toBe(file);
    expect(b.path).toBe(path.join(dir, "audit.w1.jsonl"));
    a.record({ event: "tool_call", severity: "info" });
    b.record({ event: "tool_call", severity: "info" });
    await a.close();
    await b.close();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
    const chains = discoverChains(file);
    expect(chains.map((c) => c.writer)).toEqual(["", "w1"]);
    for (const c of chains) expect(verifyChain(c.files).ok).toBe(true);
    // Released: the next writer continues the primary chain.
    const c = new JsonlAuditLog(file);
    expect(c.path).toBe(file);
    await c.close();
  });

  it("takes over a stale lock left by a crashed process", async () => {
    const dir = tmpDir();
    const file = path.join(dir, "audit.jsonl");
    fs.writeFileSync(`${file}.lock`, `999999999@${(await import("node:os")).hostname()}@x`);
    const log = new JsonlAuditLog(file);
    expect(log.path).toBe(file);
    await log.close();
  });

  it("two processes writing concurrently keep valid chains", async () => {
    const dir = tmpDir();
    const file = path.join(dir, "audit.jsonl");
    const script = `
      import { JsonlAuditLog } from ${JSON.stringify(path.join(ROOT, "dist/audit/jsonl-audit-log.js"))};
      const log = new JsonlAuditLog(process.argv[1]);
      let i = 0;
      await new Promise((done) => {
        const t = setInterval(() => {
          for (let k = 0; k < 50; k++) log.record({ event: "tool_call", severity: "info", tool: "p" + process.pid, args: { i: i++ } });
          if (i >= 500) { clearInterval(t); done(); }
        }, 1);
      });
      await log.close();`;
    const run = () =>
      new Promise<number | null>((resolve) => {
        const p = spawn(process.execPath, ["--input-type=module", "-e", script, file], { stdio: "inherit" });
        p.on("exit", resolve);
      });
    expect(await Promise.all([run(), run()])).toEqual([0, 0]);
    const chains = discoverChains(file);
    let total = 0;
    for (const c of chains) {
      const r = verifyChain(c.files);
      expect(r.ok).toBe(true);
      total += r.lines;
    }
    expect(total).toBe(1000);
  });
});
