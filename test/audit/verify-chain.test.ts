import { createHash } from "node:crypto";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { JsonlAuditLog } from "../../src/audit/jsonl-audit-log.js";
import { verifyChain } from "../../src/audit/verify-chain.js";
import { readLines, writeLines, writeLog } from "./audit-test-helpers.js";

/** Rewrites a line's content and recomputes its own (unkeyed) hash, as a naive forger would. */
function forge(line: string, change: (r: Record<string, unknown>) => void): string {
  const r = JSON.parse(line) as Record<string, unknown>;
  delete r.hash;
  change(r);
  const body = JSON.stringify(r);
  return `${body.slice(0, -1)},"hash":"${createHash("sha256").update(body).digest("hex")}"}`;
}

describe("verifyChain: tamper detection", () => {
  it("accepts an untouched chain and reports its head", async () => {
    const f = await writeLog(10);
    const r = verifyChain([f]);
    expect(r.ok).toBe(true);
    expect(r.lines).toBe(10);
    expect(r.lastSeq).toBe(10);
    expect(r.head).toBe(JSON.parse(readLines(f)[9]!).hash);
  });

  it("names an edited line", async () => {
    const f = await writeLog(10);
    const lines = readLines(f);
    lines[4] = lines[4]!.replace('"tool":"tool_5"', '"tool":"tool_X"');
    writeLines(f, lines);
    expect(verifyChain([f]).finding).toMatchObject({ kind: "edited", line: 5, seq: 5 });
  });

  it("names an edited line whose hash was recomputed (the next line no longer links)", async () => {
    const f = await writeLog(10);
    const lines = readLines(f);
    lines[4] = forge(lines[4]!, (r) => (r.tool = "innocent"));
    writeLines(f, lines);
    expect(verifyChain([f]).finding).toMatchObject({ kind: "edited", line: 5, seq: 5 });
  });

  it("names a removed line", async () => {
    const f = await writeLog(10);
    const lines = readLines(f);
    lines.splice(3, 1);
    writeLines(f, lines);
    const r = verifyChain([f]);
    expect(r.finding).toMatchObject({ kind: "removed", line: 4, seq: 5 });
    expect(r.finding!.message).toContain("seq 4 is missing");
  });

  it("names removed first lines", async () => {
    const f = await writeLog(5);
    writeLines(f, readLines(f).slice(2));
    expect(verifyChain([f]).finding).toMatchObject({ kind: "removed", line: 1, seq: 3 });
  });

  it("names an inserted copy and an inserted foreign line", async () => {
    const f = await writeLog(10);
    const lines = readLines(f);
    writeLines(f, [...lines.slice(0, 6), lines[2]!, ...lines.slice(6)]);
    expect(verifyChain([f]).finding).toMatchObject({ kind: "inserted", line: 7, seq: 3 });
    writeLines(f, [...lines.slice(0, 6), '{"note":"all fine here"}', ...lines.slice(6)]);
    expect(verifyChain([f]).finding).toMatchObject({ kind: "inserted", line: 7 });
  });

  it("names an inserted line forged with the right seq and prev", async () => {
    const f = await writeLog(6);
    const lines = readLines(f);
    const fake = forge(lines[3]!, (r) => (r.tool = "fake"));
    writeLines(f, [...lines.slice(0, 4), fake.replace(/"seq":4/, '"seq":5'), ...lines.slice(4)]);
    const r = verifyChain([f]);
    expect(r.ok).toBe(false);
    expect(r.finding!.line).toBeLessThanOrEqual(5);
  });

  it("names reordered lines", async () => {
    const f = await writeLog(10);
    const lines = readLines(f);
    [lines[5], lines[6]] = [lines[6]!, lines[5]!];
    writeLines(f, lines);
    const r = verifyChain([f]);
    expect(r.finding).toMatchObject({ kind: "reordered", line: 6, seq: 7 });
    expect(r.finding!.message).toContain(`${f}:7`);
  });

  it("names a line truncated in the middle of the file", async () => {
    const f = await writeLog(10);
    const lines = readLines(f);
    lines[4] = lines[4]!.slice(0, 40);
    writeLines(f, lines);
    expect(verifyChain([f]).finding).toMatchObject({ kind: "truncated", line: 5 });
  });

  it("detects a file truncated at a line boundary against an anchor", async () => {
    const f = await writeLog(10);
    const before = verifyChain([f]);
    writeLines(f, readLines(f).slice(0, 7));
    expect(verifyChain([f]).ok).toBe(true); // nothing inside the file can show it...
    const r = verifyChain([f], { anchor: { seq: before.lastSeq, hash: before.head } });
    expect(r.finding).toMatchObject({ kind: "truncated", line: 7, seq: 7 }); // ...the anchor does
  });

  it("detects a rewritten chain against an anchor", async () => {
    const f = await writeLog(5);
    const before = verifyChain([f]);
    const lines = readLines(f);
    // Rewrite line 5 and recompute it: the chain is self-consistent again, but not the one anchored.
    lines[4] = forge(lines[4]!, (r) => (r.tool = "other"));
    writeLines(f, lines);
    expect(verifyChain([f]).ok).toBe(true);
    expect(verifyChain([f], { anchor: { seq: 5, hash: before.head } }).finding).toMatchObject({ kind: "edited", seq: 5 });
  });
});

describe("verifyChain: crashes", () => {
  it("accepts a torn last line and the writer continues the chain after it", async () => {
    const f = await writeLog(5);
    const text = fs.readFileSync(f, "utf8");
    const lines = readLines(f);
    fs.writeFileSync(f, text + lines[4]!.replace('"seq":5', '"seq":6').slice(0, 50)); // torn write of seq 6
    const torn = verifyChain([f]);
    expect(torn.ok).toBe(true);
    expect(torn.lastSeq).toBe(5);
    expect(torn.notes[0]).toMatch(/torn last line/);

    const log = new JsonlAuditLog(f);
    log.record({ event: "tool_call", severity: "info", tool: "after_crash" });
    await log.close();
    const after = verifyChain([f]);
    expect(after.ok).toBe(true);
    expect(after.lastSeq).toBe(6);
    expect(after.notes[0]).toMatch(/:6: torn write from a crash; the writer restarted/);
  });

  it("refuses a torn line that hides a lost chain line", async () => {
    const f = await writeLog(6);
    const lines = readLines(f);
    lines[3] = lines[3]!.slice(0, 30); // seq 4 cut short, seq 5 still links to seq 4
    writeLines(f, lines);
    expect(verifyChain([f]).finding).toMatchObject({ kind: "truncated", line: 4 });
  });
});

describe("verifyChain: HMAC", () => {
  const key = "k".repeat(32);

  it("verifies a keyed chain only with the key", async () => {
    const f = await writeLog(5, { hmacKey: key });
    expect(JSON.parse(readLines(f)[0]!).hash).toMatch(/^hmac:[0-9a-f]{64}$/);
    expect(verifyChain([f], { key }).ok).toBe(true);
    expect(verifyChain([f], { key }).keyed).toBe(true);
    const noKey = verifyChain([f]);
    expect(noKey.ok).toBe(false);
    expect(noKey.needsKey).toMatchObject({ line: 1 });
    expect(verifyChain([f], { key: "x".repeat(32) }).finding).toMatchObject({ kind: "edited", line: 1 });
  });

  it("refuses a chain forged without the key, even a self-consistent one", async () => {
    const f = await writeLog(5, { hmacKey: key });
    const lines = readLines(f);
    // The forger edits line 3 and cannot compute the HMAC: they try a plain hash instead.
    lines[2] = forge(lines[2]!, (r) => (r.tool = "innocent"));
    writeLines(f, lines);
    expect(verifyChain([f], { key }).finding).toMatchObject({ kind: "unsigned", line: 3 });

    // A whole new plain chain in place of the keyed one.
    const g = await writeLog(5);
    expect(verifyChain([g], { key }).finding).toMatchObject({ kind: "unsigned", line: 1 });
  });

  it("refuses plain lines appended after keyed ones", async () => {
    const f = await writeLog(3, { hmacKey: key });
    const plain = new JsonlAuditLog(f);
    plain.record({ event: "tool_call", severity: "info", tool: "appended_without_key" });
    await plain.close();
    expect(verifyChain([f], { key }).finding).toMatchObject({ kind: "unsigned", line: 4, seq: 4 });
  });

  it("accepts a plain prefix pinned by keyed lines after it (key added later)", async () => {
    const f = await writeLog(3);
    const keyed = new JsonlAuditLog(f, { hmacKey: key });
    keyed.record({ event: "tool_call", severity: "info", tool: "signed" });
    await keyed.close();
    expect(verifyChain([f], { key }).ok).toBe(true);
  });
});
