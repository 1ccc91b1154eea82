import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { JsonlAuditLog } from "../../src/audit/jsonl-audit-log.js";
import { verifyChain } from "../../src/audit/verify-chain.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { prepare, RawSession, ROOT, wrapArgs } from "../helpers/wrap-harness.js";
import { initLegacy, relayHarness, repliesFor } from "../fuzz/relay-harness.js";
import { call, refusedCode, sleep } from "./fault-helpers.js";

const RECORDER = path.join(ROOT, "test/fixtures/servers/recording-server.mjs");

/** Makes every write to `fd` fail with `code` (ENOSPC = disk full, EROFS = read-only) until restored. */
function failWrites(fd: number, code: "ENOSPC" | "EROFS") {
  const real = fs.writeSync.bind(fs) as (...a: unknown[]) => number;
  return vi.spyOn(fs, "writeSync").mockImplementation(((...args: unknown[]) => {
    if (args[0] === fd) throw Object.assign(new Error(`${code}: simulated`), { code });
    return real(...args);
  }) as typeof fs.writeSync);
}
const fdOf = (log: JsonlAuditLog) => (log as unknown as { fd: number }).fd;

afterEach(() => vi.restoreAllMocks());

describe("faults: the audit log cannot be written", () => {
  for (const code of ["ENOSPC", "EROFS"] as const) {
    it(`${code}: once a write fails, every tools/call is refused with AUDIT_UNAVAILABLE and never reaches the upstream; other traffic still flows`, async () => {
      const file = path.join(tmpStateDir(), "audit.jsonl");
      const errors: string[] = [];
      const audit = new JsonlAuditLog(file, { onError: (e) => errors.push(e.message) });
      const h = relayHarness({ audit });
      await initLegacy(h);
      h.relay.fromClient(call(1, "echo", { message: "before" }));
      await h.settle();
      audit.flush();
      expect(repliesFor(h, 1)[0]).toMatchObject({ result: { content: [{ text: "ran echo" }] } });
      failWrites(fdOf(audit), code);
      h.relay.fromClient(call(2, "secret_admin")); // a denial: its audit line cannot be written
      await h.settle();
      audit.flush();
      expect(audit.healthy).toBe(false);
      expect(errors.join()).toContain(code);
      const sent = h.upstream.length;
      for (let i = 3; i < 8; i++) h.relay.fromClient(call(i, "echo", { message: `after ${i}` }));
      h.relay.fromClient('{"jsonrpc":"2.0","id":"p","method":"ping"}');
      await h.settle();
      for (let i = 3; i < 8; i++) {
        expect(repliesFor(h, i)).toHaveLength(1);
        expect(refusedCode(repliesFor(h, i)[0]!)).toBe("AUDIT_UNAVAILABLE");
      }
      expect(h.upstream.slice(sent).map((l) => JSON.parse(l).method)).toEqual(["ping"]);
      expect(repliesFor(h, "p")).toEqual([{ jsonrpc: "2.0", id: "p", result: {} }]);
    });
  }

  it("disk full then recovered: the chain on disk has no hole (lost lines are retried or the writer stops), so verify passes", async () => {
    const file = path.join(tmpStateDir(), "audit.jsonl");
    const audit = new JsonlAuditLog(file, { onError: () => {} });
    for (let i = 0; i < 3; i++) audit.record({ event: "tool_call", severity: "info" });
    audit.flush();
    const spy = failWrites(fdOf(audit), "ENOSPC");
    for (let i = 0; i < 2; i++) audit.record({ event: "access_denied", severity: "medium" });
    audit.flush();
    spy.mockRestore();
    for (let i = 0; i < 2; i++) audit.record({ event: "tool_call", severity: "info" });
    await audit.close();
    const r = verifyChain([file]);
    expect(r.finding, JSON.stringify(r.finding)).toBeUndefined();
  });

  it("disk full, then a restart: nothing is lost, what was written verifies, and the new writer continues the chain", async () => {
    const file = path.join(tmpStateDir(), "audit.jsonl");
    const a = new JsonlAuditLog(file, { onError: () => {} });
    for (let i = 0; i < 3; i++) a.record({ event: "tool_call", severity: "info" });
    a.flush();
    failWrites(fdOf(a), "ENOSPC");
    a.record({ event: "access_denied", severity: "medium" });
    a.flush();
    expect(a.healthy).toBe(false);
    vi.restoreAllMocks();
    await a.close();
    const b = new JsonlAuditLog(file, { onError: () => {} });
    expect(b.healthy).toBe(true);
    b.record({ event: "tool_call", severity: "info" });
    await b.close();
    const r = verifyChain([file]);
    expect(r.finding, JSON.stringify(r.finding)).toBeUndefined();
    expect(r.lines).toBe(5); // the line that failed was kept and written on close: nothing lost
  });

  const recordingConfig = (auditPath: string, record: string) =>
    `audit: { path: ${JSON.stringify(auditPath)} }\nservers:\n  rec:\n    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(RECORDER)}]\n    env: { RECORD_FILE: ${JSON.stringify(record)} }\n    trust: verified\n`;

  it("wrap with the audit log on a full disk (/dev/full): calls are refused with AUDIT_UNAVAILABLE, never reach the upstream, and wrap keeps serving", async () => {
    if (!fs.existsSync("/dev/full")) return;
    const w = prepare();
    const record = path.join(w.dir, "upstream.log");
    fs.writeFileSync(path.join(w.dir, "portcullis.yaml"), recordingConfig("/dev/full", record));
    const s = new RawSession([...wrapArgs({ ...w, configPath: path.join(w.dir, "portcullis.yaml") }, [], ["--name", "rec"])], w.dir);
    await s.initialize();
    // The first audit line (the upstream exit at startup? no: the first recorded decision) is what fails;
    // provoke one with a denial that forwards nothing.
    s.send('{"jsonrpc":"2.0","id":"bad","method":');
    await s.next();
    await sleep(50);
    for (let i = 1; i <= 3; i++) s.send(call(i, "echo", { message: `m${i}` }));
    for (let i = 1; i <= 3; i++) expect(refusedCode(await s.reply(i))).toBe("AUDIT_UNAVAILABLE");
    s.send('{"jsonrpc":"2.0","id":"p","method":"ping"}');
    expect(await s.reply("p")).toMatchObject({ result: {} });
    expect(s.stderr).toMatch(/audit log .*(ENOSPC|no space)/i);
    await s.close();
    const got = fs.readFileSync(record, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).method);
    expect(got).not.toContain("tools/call");
  });

  it("wrap: a tools/call whose audit line cannot be written is not delivered as a success", async () => {
    if (!fs.existsSync("/dev/full")) throw new Error("no /dev/full");
    const w = prepare();
    const record = path.join(w.dir, "upstream.log");
    fs.writeFileSync(path.join(w.dir, "portcullis.yaml"), recordingConfig("/dev/full", record));
    const s = new RawSession([...wrapArgs({ ...w, configPath: path.join(w.dir, "portcullis.yaml") }, [], ["--name", "rec"])], w.dir);
    await s.initialize();
    s.send(call(1, "echo", { message: "first" })); // the very first audited decision: its line hits the full disk
    const r = await s.reply(1);
    s.proc.kill("SIGKILL");
    expect(refusedCode(r)).toBe("AUDIT_UNAVAILABLE");
  });

  it("wrap refuses to start when the audit path cannot be created: non-zero exit, the path named, the upstream never started", async () => {
    const w = prepare();
    const record = path.join(w.dir, "upstream.log");
    // A path under a regular file: mkdir fails with ENOTDIR even for root (a read-only mount behaves the same).
    fs.writeFileSync(path.join(w.dir, "not-a-dir"), "");
    fs.writeFileSync(path.join(w.dir, "portcullis.yaml"), recordingConfig(path.join(w.dir, "not-a-dir", "audit.jsonl"), record));
    const s = new RawSession([...wrapArgs({ ...w, configPath: path.join(w.dir, "portcullis.yaml") }, [], ["--name", "rec"])], w.dir);
    const code = await s.exited;
    expect(code).not.toBe(0);
    expect(s.stderr).toContain("not-a-dir");
    expect(fs.existsSync(record)).toBe(false);
  });
});
