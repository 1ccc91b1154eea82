import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { JsonlAuditLog } from "../../src/audit/jsonl-audit-log.js";
import { main } from "../../src/cli/main.js";
import { writeKnownLog } from "../fixtures/audit/known-log.js";
import { runCli } from "../helpers/run-cli.js";

const run = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => runCli(main, args, { cwd, env });

/** A dir with a config and the default audit file beside it. */
async function setup(opts: { key?: string } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-audit-cli-"));
  fs.writeFileSync(path.join(dir, "portcullis.yaml"), "defaults:\n  trust: low\n");
  const file = path.join(dir, ".portcullis", "audit.jsonl");
  await writeKnownLog(file, { hmacKey: opts.key });
  return { dir, file };
}

describe("portcullis audit verify", () => {
  it("exits 0 on an intact log and prints the head as an anchor", async () => {
    const { dir } = await setup();
    const r = await run(["audit", "verify"], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^OK .*audit\.jsonl: 10 lines, seq 1\.\.10/);
    expect(r.out).toMatch(/--anchor 10:[0-9a-f]{64}/);
  });

  it("exits 1 and names file and line of an edit", async () => {
    const { dir, file } = await setup();
    const lines = fs.readFileSync(file, "utf8").split("\n");
    lines[6] = lines[6]!.replace("send_email", "send_memo");
    fs.writeFileSync(file, lines.join("\n"));
    const r = await run(["audit", "verify", ".portcullis/audit.jsonl"], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`TAMPERED ${file}:7: seq 7 was edited`);
  });

  it("exits 1 on truncation against an anchor", async () => {
    const { dir, file } = await setup();
    const head = /--anchor (\d+:[0-9a-f]{64})/.exec((await run(["audit", "verify"], dir)).out)![1]!;
    const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
    fs.writeFileSync(file, lines.slice(0, 8).map((l) => `${l}\n`).join(""));
    const r = await run(["audit", "verify", "--anchor", head], dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/:8: the chain ends at seq 8 but seq 10 was recorded earlier/);
  });

  it("HMAC: needs the key (exit 2), verifies with it, refuses a forgery", async () => {
    const key = "s3cret-key-for-tests-0123456789ab";
    const { dir, file } = await setup({ key });
    const noKey = await run(["audit", "verify"], dir);
    expect(noKey.code).toBe(2);
    expect(noKey.err).toMatch(/HMAC-signed; give the key to verify it: --key-env NAME/);
    expect((await run(["audit", "verify", "--key-env", "AK"], dir, { AK: key })).code).toBe(0);
    const unset = await run(["audit", "verify", "--key-env", "AK"], dir, {});
    expect(unset.code).toBe(2);
    expect(unset.err).toMatch(/AK is not set/);
    // A writer without the key appends: refused.
    const forger = new JsonlAuditLog(file);
    forger.record({ event: "tool_call", severity: "info", tool: "forged" });
    await forger.close();
    const r = await run(["audit", "verify", "--key-env", "AK"], dir, { AK: key });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/:11: seq 11 is not HMAC-signed/);
  });

  it("exits 2 with advice when there is no log", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-audit-cli-"));
    const r = await run(["audit", "verify"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no audit log at .*audit\.jsonl: nothing has been recorded yet/);
    expect((await run(["audit", "verify", "nope.jsonl"], dir)).err).toMatch(/no audit file at/);
  });
});

describe("portcullis audit report / export / prune", () => {
  it("report --format json carries the known figures", async () => {
    const { dir } = await setup();
    const r = await run(["audit", "report", "--since", "all", "--format", "json"], dir);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.total).toBe(10);
    expect(rep.denials).toBe(4);
    expect(rep.latency_ms.p50).toBe(20);
  });

  it("report --since 24h excludes old lines; html goes to --out", async () => {
    const { dir } = await setup();
    const recent = await run(["audit", "report"], dir); // the known log is from 2026-05-01
    expect(recent.code).toBe(0);
    expect(recent.out).toMatch(/events: 0|No audit lines/);
    const h = await run(["audit", "report", "--since", "2026-05-01", "--format", "html", "--out", "r.html"], dir);
    expect(h.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "r.html"), "utf8")).toContain("<svg");
    expect((await run(["audit", "report", "--format", "pdf"], dir)).code).toBe(2);
    expect((await run(["audit", "report", "--since", "yesterday"], dir)).err).toMatch(/--since takes a duration/);
  });

  it("export jsonl is verbatim, csv has a header", async () => {
    const { dir, file } = await setup();
    expect((await run(["audit", "export"], dir)).out).toBe(fs.readFileSync(file, "utf8"));
    const csv = await run(["audit", "export", "--format", "csv"], dir);
    expect(csv.out.split("\r\n")[0]).toMatch(/^seq,ts,event/);
  });

  it("prune keeps security events longer and leaves a chain that verifies", async () => {
    const { dir, file } = await setup();
    // The known log is older than 1d; keep security events for 10 years.
    const dry = await run(["audit", "prune", "--keep", "default=1d", "--keep", "security=3650d", "--dry-run"], dir);
    expect(dry.out).toMatch(/would remove from .*: tool_call 4; kept 6/);
    const r = await run(["audit", "prune", "--keep", "default=1d", "--keep", "security=3650d"], dir);
    expect(r.code).toBe(0);
    const lines = fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ seq: 1, event: "audit_pruned", details: { removed: { tool_call: 4 }, kept: 6, previous_last_seq: 10 } });
    expect(lines.map((l) => l.event)).not.toContain("tool_call");
    expect((await run(["audit", "verify"], dir)).code).toBe(0);
    expect((await run(["audit", "prune"], dir)).code).toBe(2);
  });

  it("prune uses audit.retention from the config when no --keep is given", async () => {
    const { dir, file } = await setup();
    fs.writeFileSync(path.join(dir, "portcullis.yaml"), "defaults:\n  trust: low\naudit:\n  retention: { default: 1d, security: 3650d }\n");
    const r = await run(["audit", "prune"], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/removed from .*: tool_call 4; kept 6/);
    expect(fs.readFileSync(file, "utf8")).not.toContain('"event":"tool_call"');
  });

  it("prune refuses to launder a tampered chain", async () => {
    const { dir, file } = await setup();
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("search", "serch"));
    const r = await run(["audit", "prune", "--keep", "default=1d"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/refusing to prune a chain that does not verify/);
  });

  it("unknown subcommand is a usage error", async () => {
    const r = await run(["audit", "frobnicate"], os.tmpdir());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown audit subcommand "frobnicate"/);
  });
});
