import path from "node:path";
import { describe, expect, it } from "vitest";
import { verifyChain } from "../../src/audit/verify-chain.js";
import { prepare, RawSession, wrapArgs, type Wrapped } from "../helpers/wrap-harness.js";
import { call, FAULTY, peakRssMb, refusedCode, sleep } from "./fault-helpers.js";

// Upstream faults through the real `portcullis wrap` binary (dist/). Each fault has a defined
// outcome: the pending call gets exactly one clear error, nothing bogus reaches the client, memory
// stays bounded, the audit chain stays intact, and wrap keeps serving (or exits non-zero when the
// upstream is gone).

async function start(config: string): Promise<{ w: Wrapped; s: RawSession }> {
  const w = prepare(config);
  const s = new RawSession(wrapArgs(w, FAULTY), w.dir);
  await s.initialize();
  return { w, s };
}

function chainOk(w: Wrapped): void {
  const r = verifyChain([path.join(w.dir, ".portcullis", "audit.jsonl")]);
  expect(r.finding, JSON.stringify(r.finding)).toBeUndefined();
  expect(r.ok).toBe(true);
}

/** Collects every line the client receives until `id` is answered; returns the replies (messages without method). */
async function repliesUntil(s: RawSession, id: unknown, timeoutMs = 10_000): Promise<Record<string, unknown>[]> {
  const got: Record<string, unknown>[] = [];
  for (;;) {
    const m = await s.nextMessage(timeoutMs);
    if ("method" in m) continue;
    got.push(m);
    if (m.id === id) return got;
  }
}

describe("faults: the upstream misbehaves (wrap)", () => {
  it("crash mid-reply: the half-written line is never delivered; the call gets UPSTREAM_UNAVAILABLE once; wrap exits non-zero; audit chain intact", async () => {
    const { w, s } = await start("defaults: { trust: verified }\n");
    s.send(call("p", "partial-crash"));
    const r = await s.reply("p");
    expect(refusedCode(r)).toBe("UPSTREAM_UNAVAILABLE");
    expect(await s.exited).toBe(4);
    await sleep(50);
    // nothing else (no second answer, no fragment) was written after the refusal
    await expect(s.nextMessage(200)).rejects.toThrow(/no message/);
    expect(w.auditLines().some((l) => l.event === "upstream_exit")).toBe(true);
    chainOk(w);
  });

  it("requests sent after the upstream died are answered, not dropped", async () => {
    const { s } = await start("defaults: { trust: verified }\n");
    // Both lines in one write: the second arrives while (or after) the upstream dies.
    s.send(`${call("a", "crash")}\n${call("b", "ok")}\n`);
    const got = [await s.next(), await s.next()];
    expect(got.map((m) => m.id).sort()).toEqual(["a", "b"]);
    for (const m of got) expect(refusedCode(m)).toBe("UPSTREAM_UNAVAILABLE");
    expect(await s.exited).toBe(3);
  });

  it("hang: the hung call times out exactly once; other calls keep flowing meanwhile; the late reply is dropped and audited", async () => {
    const { w, s } = await start("defaults: { trust: verified, timeout_s: 0.5 }\n");
    s.send(call("slow", "late", { ms: 900 }));
    s.send(call("fast", "ok"));
    const first = await s.next();
    expect(first.id).toBe("fast");
    expect(first).toMatchObject({ result: { content: [{ text: "fine" }] } });
    const timedOut = await s.reply("slow");
    expect(refusedCode(timedOut)).toBe("UPSTREAM_TIMEOUT");
    await sleep(700); // the late answer arrives upstream-side now
    s.send('{"jsonrpc":"2.0","id":"after","method":"ping"}');
    const rest = await repliesUntil(s, "after");
    expect(rest.map((m) => m.id)).toEqual(["after"]); // no second answer for "slow"
    await s.close();
    const lines = w.auditLines();
    expect(lines.some((l) => l.event === "upstream_timeout")).toBe(true);
    expect(lines.some((l) => l.event === "unsolicited_response")).toBe(true);
    chainOk(w);
  });

  it("an upstream that stops answering everything: every pending call times out, wrap keeps serving its client", async () => {
    const { s } = await start("defaults: { trust: verified, timeout_s: 0.4 }\n");
    s.send(call("h0", "hang-all"));
    for (let i = 1; i <= 5; i++) s.send(call(`h${i}`, "ok"));
    const got = await Promise.all([0, 1, 2, 3, 4, 5].map(() => s.next(5000)));
    expect(got.map((m) => m.id).sort()).toEqual(["h0", "h1", "h2", "h3", "h4", "h5"]);
    for (const m of got) expect(refusedCode(m)).toBe("UPSTREAM_TIMEOUT");
    // wrap itself is responsive: a client error is still answered immediately
    s.send("{not json");
    expect((await s.next(2000)).error).toMatchObject({ code: -32700 });
    await s.close();
  });

  it("garbage of every kind (non-JSON-RPC JSON, result+error, control bytes, batches of junk) is dropped and audited; the real reply arrives", async () => {
    const { w, s } = await start("defaults: { trust: verified }\n");
    s.send(call("g", "garbage-mix"));
    const got = await repliesUntil(s, "g");
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ result: { content: [{ text: "after garbage mix" }] } });
    await s.close();
    expect(w.auditLines().filter((l) => l.event === "upstream_malformed").length).toBeGreaterThanOrEqual(3);
    chainOk(w);
  });

  it("answering the same id twice: the client gets the first answer only; the second is audited as unsolicited", async () => {
    const { w, s } = await start("defaults: { trust: verified }\n");
    s.send(call("t", "twice"));
    expect(await s.next()).toMatchObject({ id: "t", result: { content: [{ text: "first" }] } });
    await sleep(100);
    s.send('{"jsonrpc":"2.0","id":"after","method":"ping"}');
    const got = await repliesUntil(s, "after");
    expect(got.map((m) => m.id)).toEqual(["after"]); // the second answer to "t" never reached the client
    await s.close();
    expect(w.auditLines().filter((l) => l.event === "unsolicited_response")).toHaveLength(1);
  });

  it("a 100 MB result is withheld (RESPONSE_TOO_LARGE, id recovered) without buffering it: wrap's peak RSS stays far below 100 MB", async () => {
    const { w, s } = await start("defaults: { trust: verified, max_response_kb: 1024, timeout_s: 20 }\n");
    s.send(call("big", "huge100", { mb: 100 }));
    const r = await s.reply("big", 20_000);
    expect(refusedCode(r)).toBe("RESPONSE_TOO_LARGE");
    expect((r.result as { content: { text: string }[] }).content[0]!.text).toMatch(/withheld a 10\d{7}-byte reply/);
    const peak = peakRssMb(s.proc.pid);
    if (peak !== undefined) expect(peak).toBeLessThan(160);
    s.send(call("ok", "ok"));
    expect(await s.reply("ok")).toMatchObject({ result: { content: [{ text: "fine" }] } });
    await s.close();
    expect(w.auditLines().some((l) => l.event === "response_blocked" && /withheld a 10\d{7}-byte reply/.test(String(l.reason)))).toBe(true);
  }, 30_000);

  it("a notification flood (20k) is relayed in order and the call's answer still arrives; memory stays bounded", async () => {
    const { s } = await start("defaults: { trust: verified }\n");
    s.send(call("f", "flood", { n: 20_000 }));
    let notes = 0;
    for (;;) {
      const m = await s.nextMessage(10_000);
      if (m.method === "notifications/message") {
        notes++;
        continue;
      }
      expect(m).toMatchObject({ id: "f", result: { content: [{ text: "flooded 20000" }] } });
      break;
    }
    expect(notes).toBe(20_000);
    const peak = peakRssMb(s.proc.pid);
    if (peak !== undefined) expect(peak).toBeLessThan(200);
    await s.close();
  }, 30_000);

  it("an upstream that closes its stdout (but stays alive) is treated as gone: the pending call fails fast with UPSTREAM_UNAVAILABLE and wrap exits non-zero", async () => {
    const { s } = await start("defaults: { trust: verified, timeout_s: 4 }\n");
    s.send(call("c", "close-stdout"));
    const r = await s.reply("c", 1500); // well before timeout_s
    expect(refusedCode(r)).toBe("UPSTREAM_UNAVAILABLE");
    // As for any dead upstream in wrap: exit, so the desktop client restarts the server.
    expect(await s.exited).toBe(1);
    expect(s.stderr).toMatch(/closed its output/);
  }, 15_000);

  it("upstream garbage is logged to stderr with control characters escaped (no log injection)", async () => {
    const { s } = await start("defaults: { trust: verified }\n");
    s.send(call("a", "ansi"));
    expect(await s.reply("a")).toMatchObject({ result: { content: [{ text: "after ansi" }] } });
    await s.close();
    expect(s.stderr).toContain("dropped");
    const control = [...s.stderr].filter((ch) => ch !== "\n" && ch !== "\t" && (ch < " " || ch === "\u007f"));
    expect(control).toEqual([]);
  });
});
