import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApprovalBroker } from "../../src/approvals/approval-broker.js";
import { argsHash } from "../../src/approvals/approval-record.js";
import { ApprovalStore, type NewApproval } from "../../src/approvals/approval-store.js";
import { signState, verifyState } from "../../src/approvals/request-state.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { MemoryAudit } from "../helpers/memory-audit.js";

let store: SqliteStore;
let now = 1_000_000;
let approvals: ApprovalStore;
const base = (args: unknown, over: Partial<NewApproval> = {}): NewApproval => ({
  session: "s1", server: "files", tool: "delete_file", argsHash: argsHash(args), argsPreview: JSON.stringify(args), reason: "side effects", rule: "trust-side-effect", layer: "server-trust", ...over,
});

beforeEach(() => {
  store = new SqliteStore(":memory:");
  now = Date.now();
  approvals = new ApprovalStore(store, () => now);
});
afterEach(async () => store.close());

describe("approval binding", () => {
  it("hashes canonical arguments: key order does not matter, values do", () => {
    expect(argsHash({ a: 1, b: { c: 2, d: 3 } })).toBe(argsHash({ b: { d: 3, c: 2 }, a: 1 }));
    expect(argsHash({ path: "/a" })).not.toBe(argsHash({ path: "/b" }));
    expect(argsHash(undefined)).toBe(argsHash({}));
  });

  it("a grant covers exactly one call: same session, server, tool and arguments, once", async () => {
    const args = { path: "/srv/a.txt" };
    const rec = await approvals.create(base(args), 300_000);
    expect(rec.id).toMatch(/^ap_[0-9a-f]{20}$/);
    expect((await approvals.list()).map((r) => r.id)).toEqual([rec.id]);
    expect(await approvals.decide(rec.id, { approve: true, by: "test" })).toMatchObject({ ok: true });
    expect(await approvals.list()).toEqual([]);
    // changed argument, other session, other tool, other server: refused
    expect(await approvals.consume("s1", "files", "delete_file", argsHash({ path: "/srv/b.txt" }))).toBeUndefined();
    expect(await approvals.consume("s2", "files", "delete_file", argsHash(args))).toBeUndefined();
    expect(await approvals.consume("s1", "files", "write_file", argsHash(args))).toBeUndefined();
    expect(await approvals.consume("s1", "other", "delete_file", argsHash(args))).toBeUndefined();
    // the bound call: once
    expect(await approvals.consume("s1", "files", "delete_file", argsHash({ path: "/srv/a.txt" }))).toEqual({ id: rec.id, decidedBy: "test" });
    // replay: refused
    expect(await approvals.consume("s1", "files", "delete_file", argsHash(args))).toBeUndefined();
  });

  it("expires: an expired request cannot be approved, and an old grant is gone", async () => {
    const args = { x: 1 };
    const rec = await approvals.create(base(args), 1000);
    now += 1001;
    expect(await approvals.decide(rec.id, { approve: true, by: "test" })).toMatchObject({ ok: false, why: "expired" });
    expect(await approvals.consume("s1", "files", "delete_file", argsHash(args))).toBeUndefined();

    const rec2 = await approvals.create(base(args), 50);
    expect(await approvals.decide(rec2.id, { approve: true, by: "test" })).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 80)); // the store's TTL is real time
    expect(await approvals.consume("s1", "files", "delete_file", argsHash(args))).toBeUndefined();
  });

  it("expiry is a one-time transition: of two processes sweeping one store, exactly one reports it", async () => {
    const rec = await approvals.create(base({ e: 1 }), 1000);
    const live = await approvals.create(base({ e: 2 }), 60_000);
    expect(await approvals.sweepExpired()).toEqual([]); // nothing is past its expiry yet
    now += 1001;
    const other = new ApprovalStore(store, () => now); // another process on the same store
    const [a, b] = await Promise.all([approvals.sweepExpired(), other.sweepExpired()]);
    expect([...a, ...b].map((r) => r.id)).toEqual([rec.id]);
    expect((await approvals.get(rec.id))?.status).toBe("expired");
    expect(await approvals.expire(rec.id)).toBeUndefined();
    expect(await approvals.decide(rec.id, { approve: true, by: "late" })).toMatchObject({ ok: false, why: "expired" });
    expect((await approvals.get(live.id))?.status).toBe("pending");
    expect(await approvals.expire(live.id)).toBeUndefined(); // not expired: untouched
  });

  it("the broker audits expiries nobody watched (the holder exited) once, with the call's identity", async () => {
    const rec = await approvals.create(base({ gone: true }, { caller: "key:abc" }), 1000);
    now += 1001;
    const audit = new MemoryAudit();
    const broker = new ApprovalBroker({ store: approvals, audit, secret: Buffer.alloc(32, 2), now: () => now });
    expect(await broker.sweepExpired()).toBe(1);
    expect(await broker.sweepExpired()).toBe(0);
    expect(audit.entries).toEqual([expect.objectContaining({ event: "approval_expired", session: "s1", server: "files", tool: "delete_file", caller: "key:abc", decision: "deny", code: "APPROVAL_REQUIRED", details: { approvalId: rec.id } })]);
  });

  it("decides exactly once; denial writes no grant", async () => {
    const rec = await approvals.create(base({}), 60_000);
    expect(await approvals.decide(rec.id, { approve: false, by: "alice", reason: "no" })).toMatchObject({ ok: true, record: { status: "denied", decidedBy: "alice", decisionReason: "no" } });
    expect(await approvals.decide(rec.id, { approve: true, by: "mallory" })).toMatchObject({ ok: false, why: "decided" });
    expect(await approvals.consume("s1", "files", "delete_file", argsHash({}))).toBeUndefined();
    expect(await approvals.decide("ap_00000000000000000000", { approve: true, by: "x" })).toMatchObject({ ok: false, why: "unknown" });
    expect(await approvals.decide("../etc", { approve: true, by: "x" })).toMatchObject({ ok: false, why: "unknown" });
  });

  it("concurrent consumers cannot share one grant", async () => {
    const rec = await approvals.create(base({ n: 1 }), 60_000);
    await approvals.decide(rec.id, { approve: true, by: "t" });
    const got = await Promise.all(Array.from({ length: 5 }, () => approvals.consume("s1", "files", "delete_file", argsHash({ n: 1 }))));
    expect(got.filter(Boolean)).toHaveLength(1);
  });

  it("'approve for this session' covers a bounded number of further calls of that tool, any arguments, in that session only", async () => {
    const rec = await approvals.create(base({ n: 0 }), 60_000);
    await approvals.decide(rec.id, { approve: true, by: "t", forSession: 2 });
    expect(await approvals.consume("s1", "files", "delete_file", argsHash({ n: 0 }))).toBeTruthy(); // the exact grant
    expect(await approvals.consume("s2", "files", "delete_file", argsHash({ n: 1 }))).toBeUndefined();
    expect(await approvals.consume("s1", "files", "write_file", argsHash({ n: 1 }))).toBeUndefined();
    expect(await approvals.consume("s1", "files", "delete_file", argsHash({ n: 1 }))).toBeTruthy();
    expect(await approvals.consume("s1", "files", "delete_file", argsHash({ n: 2 }))).toBeTruthy();
    expect(await approvals.consume("s1", "files", "delete_file", argsHash({ n: 3 }))).toBeUndefined();
  });

  it("wait returns at once when decided through the same object, and at the deadline otherwise", async () => {
    const real = new ApprovalStore(store);
    const rec = await real.create(base({}), 60_000);
    const t0 = Date.now();
    const waiting = real.wait(rec.id, Date.now() + 5000);
    setTimeout(() => void real.decide(rec.id, { approve: true, by: "t" }), 20);
    expect((await waiting)?.status).toBe("approved");
    expect(Date.now() - t0).toBeLessThan(1000);
    const rec2 = await real.create(base({}), 60_000);
    expect((await real.wait(rec2.id, Date.now() + 100))?.status).toBe("pending");
  });
});

describe("requestState", () => {
  const secret = Buffer.alloc(32, 7);
  it("round-trips, and rejects forged, tampered and expired states", () => {
    const st = { a: "ap_0123456789abcdef0123", s: "s1", t: "delete_file", h: "abc", e: Date.now() + 1000 };
    const tok = signState(st, secret);
    expect(verifyState(tok, secret)).toEqual(st);
    expect(verifyState(tok, Buffer.alloc(32, 8))).toBeUndefined();
    const [body, mac] = tok.split(".");
    const forged = Buffer.from(JSON.stringify({ ...st, h: "other" })).toString("base64url");
    expect(verifyState(`${forged}.${mac}`, secret)).toBeUndefined();
    expect(verifyState(`${body}.`, secret)).toBeUndefined();
    // Another spelling of the same MAC bytes (the last base64url character's unused low bits set) is
    // not the token we issued: refused, so every altered character of a token is refused.
    const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = B64.indexOf(mac!.at(-1)!);
    const respelled = `${mac!.slice(0, -1)}${B64[last | 0b11]}`;
    expect(Buffer.from(respelled, "base64url").equals(Buffer.from(mac!, "base64url"))).toBe(true);
    expect(verifyState(`${body}.${respelled}`, secret)).toBeUndefined();
    expect(verifyState(signState({ ...st, e: Date.now() - 1 }, secret), secret)).toBeUndefined();
    expect(verifyState(42, secret)).toBeUndefined();
  });
});

describe("approval previews under zero data retention", () => {
  it("carry no payload when the server's audit.zdr is on", async () => {
    const { previewOf } = await import("../../src/approvals/approval-broker.js");
    const { resolveServerPolicy } = await import("../../src/config/resolve-server-policy.js");
    const marker = "ZDR-MARKER-7f3a";
    const zdr = resolveServerPolicy("s", { audit: { zdr: true } }, undefined, "/tmp");
    const normal = resolveServerPolicy("s", {}, undefined, "/tmp");
    expect(previewOf({ body: marker }, zdr)).not.toContain(marker);
    expect(previewOf({ body: marker }, zdr)).toMatch(/withheld: zero data retention/);
    expect(previewOf({ body: marker }, normal)).toContain(marker);
  });
});
