import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { argsHash } from "../../src/approvals/approval-record.js";
import { ApprovalStore } from "../../src/approvals/approval-store.js";
import { main } from "../../src/cli/main.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { runCli } from "../helpers/run-cli.js";

const run = (args: string[], cwd: string) => runCli(main, args, { cwd, env: {} });

async function seed(dir: string, n: number) {
  fs.mkdirSync(path.join(dir, ".portcullis"), { recursive: true });
  const store = new SqliteStore(path.join(dir, ".portcullis", "state.db"));
  const a = new ApprovalStore(store);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push((await a.create({ session: "s1", server: "files", tool: "delete_file", argsHash: argsHash({ i }), argsPreview: JSON.stringify({ path: `/srv/${i}` }, null, 2), reason: "`delete_file` looks side-effecting", rule: "trust-side-effect", layer: "server-trust" }, 60_000)).id);
  }
  await store.close();
  return ids;
}

describe("portcullis approvals", () => {
  it("list shows pending calls; approve and deny decide them once, audited with who decided", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-approvals-"));
    const [a, b] = await seed(dir, 2);
    const list = await run(["approvals", "list"], dir);
    expect(list.code).toBe(0);
    expect(list.out).toContain(a);
    expect(list.out).toContain("files/delete_file");
    expect(list.out).toContain('"/srv/1"');

    const ok = await run(["approvals", "approve", a!], dir);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(new RegExp(`^approved ${a}`));
    const again = await run(["approvals", "deny", a!], dir);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already approved by cli:/);

    const no = await run(["approvals", "deny", b!, "--reason", "not now"], dir);
    expect(no.code).toBe(0);
    expect((await run(["approvals", "list"], dir)).out).toMatch(/no pending approvals/);
    const all = JSON.parse((await run(["approvals", "list", "--all", "--json"], dir)).out) as { id: string; status: string; decidedBy: string; decisionReason?: string }[];
    expect(all.map((r) => [r.id, r.status])).toEqual(expect.arrayContaining([[a, "approved"], [b, "denied"]]));
    expect(all).toHaveLength(2);
    expect(all.find((r) => r.id === b)?.decisionReason).toBe("not now");

    const audit = fs.readFileSync(path.join(dir, ".portcullis", "audit.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.map((l) => l.event)).toEqual(["approval_granted", "approval_denied"]);
    expect(audit[0]).toMatchObject({ tool: "delete_file", details: { approvalId: a, decidedBy: expect.stringMatching(/^cli:/) } });
  });

  it("usage errors exit 2; unknown ids exit 1", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-approvals-"));
    expect((await run(["approvals"], dir)).code).toBe(2);
    expect((await run(["approvals", "approve"], dir)).code).toBe(2);
    expect((await run(["approvals", "approve", "nope"], dir)).code).toBe(2);
    expect((await run(["approvals", "deny", "ap_00000000000000000000", "--for-session"], dir)).code).toBe(2);
    const unknown = await run(["approvals", "approve", "ap_00000000000000000000"], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/unknown/);
  });
});
