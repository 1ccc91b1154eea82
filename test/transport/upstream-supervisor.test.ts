import { describe, expect, it } from "vitest";
import { StderrTail, UpstreamSupervisor, UpstreamSupervisors } from "../../src/transport/upstream-supervisor.js";
import { MemoryAudit } from "../helpers/memory-audit.js";

/** A fake clock: the supervisor never reads the real one. */
function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function make(clock = fakeClock(), zdr = false) {
  const audit = new MemoryAudit();
  const logs: string[] = [];
  const s = new UpstreamSupervisor({ server: "files", audit, log: (l) => logs.push(l), caller: "key:k1", zdr, now: clock.now, backoff: { random: () => 0.5 } });
  return { s, audit, logs, clock };
}

describe("UpstreamSupervisor (fake clock)", () => {
  it("admits starts until a crash, then refuses until the backoff delay has passed", () => {
    const { s, clock } = make();
    expect(s.admit()).toEqual({ ok: true });
    s.started();
    s.up();
    clock.advance(1000);
    expect(s.crashed("exited with code 1", ["boom"])).toBe(500);
    expect(s.admit()).toEqual({ ok: false, retryAfterMs: 500, lastExit: "exited with code 1" });
    clock.advance(499);
    expect(s.admit()).toMatchObject({ ok: false, retryAfterMs: 1 });
    clock.advance(1);
    expect(s.admit()).toEqual({ ok: true });
  });

  it("doubles the delay for a crash loop and resets after 60 s of uptime", () => {
    const { s, clock } = make();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      s.started();
      clock.advance(10);
      delays.push(s.crashed("exited with code 3"));
      clock.advance(delays.at(-1)!);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000]);
    s.started();
    s.up();
    clock.advance(60_000);
    expect(s.crashed("was killed by SIGSEGV")).toBe(500);
  });

  it("audits crashes (with the stderr tail) and restarts, and logs both", () => {
    const { s, audit, logs, clock } = make();
    s.started();
    expect(audit.entries).toHaveLength(0); // a first start is not a restart
    clock.advance(200);
    s.crashed("exited with code 1", ["line one", "line two"]);
    expect(audit.entries[0]).toMatchObject({ event: "upstream_backoff", server: "files", caller: "key:k1", code: "UPSTREAM_RESTARTING", details: { uptimeMs: 200, delayMs: 500, consecutiveFailures: 1, stderrTail: ["line one", "line two"] } });
    expect(logs[0]).toMatch(/upstream "files" exited with code 1 after 200 ms; next start allowed in 500 ms/);
    expect(logs[0]).toContain("[files] line two");
    clock.advance(500);
    s.started();
    expect(audit.entries[1]).toMatchObject({ event: "upstream_restart", server: "files", details: { restarts: 1 } });
  });

  it("keeps the stderr tail out of the audit log under zdr", () => {
    const { s, audit } = make(fakeClock(), true);
    s.started();
    s.crashed("exited with code 1", ["secret=hunter2"]);
    expect(JSON.stringify(audit.entries)).not.toContain("hunter2");
  });

  it("reports health, and an expected stop is no crash", () => {
    const { s, clock } = make();
    expect(s.health()).toMatchObject({ state: "idle", restarts: 0 });
    s.started();
    expect(s.health().state).toBe("starting");
    s.up();
    expect(s.health().state).toBe("up");
    s.stopped();
    expect(s.health().state).toBe("idle");
    s.started();
    s.crashed("exited with code 1");
    clock.advance(100);
    expect(s.health()).toMatchObject({ state: "backoff", retryInMs: 400, consecutiveFailures: 1, lastExit: { how: "exited with code 1" } });
  });
});

describe("UpstreamSupervisors", () => {
  it("summarises per server", () => {
    const clock = fakeClock();
    const all = new UpstreamSupervisors({ audit: new MemoryAudit(), log: () => {}, now: clock.now, backoff: { random: () => 0.5 } });
    const a = all.get("files\0a", { server: "files" });
    const b = all.get("files\0b", { server: "files" });
    expect(all.get("files\0a", { server: "files" })).toBe(a);
    a.started();
    a.up();
    b.started();
    b.crashed("exited with code 1");
    expect(all.summary()).toEqual({ files: { up: 1, starting: 0, idle: 0, backoff: 1, restarts: 0, retryInMs: 500, lastExit: { how: "exited with code 1", at: new Date(clock.now()).toISOString() } } });
  });
});

describe("StderrTail", () => {
  it("logs complete lines with the server name and keeps the last ones", () => {
    const logs: string[] = [];
    const t = new StderrTail("files", (l) => logs.push(l), 2);
    t.push("one\ntw");
    t.push("o\r\n\nthree\nfou");
    expect(logs).toEqual(["[files] one", "[files] two", "[files] three"]);
    t.end();
    expect(logs.at(-1)).toBe("[files] fou");
    expect(t.tail()).toEqual(["three", "fou"]);
  });
});
