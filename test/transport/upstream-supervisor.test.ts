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
  const s = new UpstreamSupervisor({ server: "files", audit, log: (l) => logs.push(l), zdr, now: clock.now, backoff: { random: () => 0.5 } });
  return { s, audit, logs, clock };
}

describe("UpstreamSupervisor (fake clock)", () => {
  it("admits starts until a crash, then refuses until the backoff delay has passed", () => {
    const { s, clock } = make();
    expect(s.admit()).toEqual({ ok: true });
    const run = s.start("key:k1");
    run.up();
    clock.advance(1000);
    expect(run.crashed("exited with code 1", ["boom"])).toBe(500);
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
      const run = s.start();
      clock.advance(10);
      delays.push(run.crashed("exited with code 3"));
      clock.advance(delays.at(-1)!);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000]);
    const run = s.start();
    run.up();
    clock.advance(60_000);
    expect(run.crashed("was killed by SIGSEGV")).toBe(500);
  });

  it("audits crashes (with the stderr tail) and restarts with the run's caller, and logs both", () => {
    const { s, audit, logs, clock } = make();
    const run = s.start("key:k1");
    expect(audit.entries).toHaveLength(0); // a first start is not a restart
    clock.advance(200);
    run.crashed("exited with code 1", ["line one", "line two"]);
    expect(audit.entries[0]).toMatchObject({ event: "upstream_backoff", server: "files", caller: "key:k1", code: "UPSTREAM_RESTARTING", details: { uptimeMs: 200, delayMs: 500, consecutiveFailures: 1, stderrTail: ["line one", "line two"] } });
    expect(logs[0]).toMatch(/upstream "files" exited with code 1 after 200 ms; next start allowed in 500 ms/);
    expect(logs[0]).toContain("[files] line two");
    clock.advance(500);
    s.start("key:k2");
    expect(audit.entries[1]).toMatchObject({ event: "upstream_restart", server: "files", caller: "key:k2", details: { restarts: 1 } });
    s.start("key:k3"); // only the first start after a crash is a restart
    expect(audit.entries.filter((e) => e.event === "upstream_restart")).toHaveLength(1);
  });

  it("keeps the stderr tail out of the audit log under zdr", () => {
    const { s, audit } = make(fakeClock(), true);
    s.start().crashed("exited with code 1", ["secret=hunter2"]);
    expect(JSON.stringify(audit.entries)).not.toContain("hunter2");
  });

  it("reports health, and an expected stop is no crash", () => {
    const { s, clock } = make();
    expect(s.health()).toMatchObject({ state: "idle", restarts: 0, healthy: true });
    const a = s.start();
    expect(s.health()).toMatchObject({ state: "starting", startingCount: 1 });
    a.up();
    expect(s.health()).toMatchObject({ state: "up", upCount: 1, healthy: true });
    a.stopped();
    a.crashed("exited with code 1"); // a run reports once: a stop is final
    expect(s.health()).toMatchObject({ state: "idle", upCount: 0, healthy: true, consecutiveFailures: 0 });
    expect(s.admit()).toEqual({ ok: true });
    s.start().crashed("exited with code 1");
    clock.advance(100);
    expect(s.health()).toMatchObject({ state: "backoff", retryInMs: 400, consecutiveFailures: 1, healthy: false, lastExit: { how: "exited with code 1" } });
    clock.advance(400);
    // Out of backoff, but the last upstream failed: unhealthy until a start succeeds.
    expect(s.health()).toMatchObject({ state: "idle", healthy: false });
    const b = s.start();
    expect(s.health().healthy).toBe(false);
    b.up();
    expect(s.health()).toMatchObject({ state: "up", healthy: true, restarts: 1 });
  });

  it("counts every upstream of the server; upstreams running when it crashed are one incident, not a loop", () => {
    const { s, audit, clock } = make();
    const runs = [s.start("a"), s.start("b"), s.start("c")];
    runs.forEach((r) => r.up());
    expect(s.health()).toMatchObject({ state: "up", upCount: 3 });
    clock.advance(1000);
    expect(runs[0]!.crashed("exited with code 1")).toBe(500);
    clock.advance(100);
    // b and c were started before that crash: no escalation, the same backoff window.
    expect(runs[1]!.crashed("exited with code 1")).toBe(400);
    expect(s.health()).toMatchObject({ state: "backoff", upCount: 1, consecutiveFailures: 1 });
    expect(audit.entries.filter((e) => e.event === "upstream_backoff").at(-1)).toMatchObject({ details: { sameIncident: true } });
    clock.advance(400);
    // A restart that crashes again escalates.
    expect(s.start("d").crashed("exited with code 1")).toBe(1000);
    // c (still running) stops on purpose: no crash.
    runs[2]!.stopped();
    expect(s.health()).toMatchObject({ consecutiveFailures: 2, upCount: 0 });
  });

  it("tells observers about every event", () => {
    const audit = new MemoryAudit();
    const events: string[] = [];
    const s = new UpstreamSupervisor({ server: "files", audit, log: () => {}, backoff: { initialMs: 0, jitter: 0 }, onEvent: (server, e, h) => events.push(`${server}:${e}:${h.healthy ? 1 : 0}`) });
    const r = s.start();
    r.up();
    r.crashed("exited with code 1");
    s.start().stopped();
    expect(events).toEqual(["files:start:1", "files:up:1", "files:crash:0", "files:restart:0", "files:start:0", "files:stop:0"]);
  });
});

describe("UpstreamSupervisors", () => {
  it("has one supervisor per server, summarises per server, and supervises only stdio servers", () => {
    const clock = fakeClock();
    const all = new UpstreamSupervisors({ audit: new MemoryAudit(), log: () => {}, now: clock.now, backoff: { random: () => 0.5 } });
    const files = all.for({ name: "files", command: ["node", "x.js"] })!;
    expect(all.for({ name: "files", command: ["node", "x.js"] })).toBe(files);
    expect(all.for({ name: "remote" })).toBeUndefined();
    const a = files.start("key:a");
    a.up();
    files.start("key:b").crashed("exited with code 1");
    expect(all.summary()).toEqual({ files: { state: "backoff", up: 1, starting: 0, idle: 0, backoff: 1, restarts: 0, consecutiveFailures: 1, retryInMs: 500, lastExit: { how: "exited with code 1", at: new Date(clock.now()).toISOString() } } });
  });

  it("prunes servers idle and out of backoff for an hour (bounded memory), never running or backing-off ones", () => {
    const clock = fakeClock();
    const all = new UpstreamSupervisors({ audit: new MemoryAudit(), log: () => {}, now: clock.now, backoff: { random: () => 0.5 } });
    const idle = all.get("idle");
    idle.start().stopped();
    const running = all.get("running").start();
    running.up();
    const crashed = all.get("crashed");
    crashed.start().crashed("exited with code 1");
    clock.advance(30 * 60_000);
    expect(all.prune()).toBe(0);
    clock.advance(31 * 60_000);
    expect(all.prune()).toBe(2); // idle, and crashed (its backoff long over)
    expect(Object.keys(all.summary())).toEqual(["running"]);
    const again = all.get("idle");
    expect(again).not.toBe(idle);
    expect(again.health()).toMatchObject({ state: "idle", restarts: 0 });
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
