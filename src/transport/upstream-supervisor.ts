import type { AuditLog } from "../audit/audit-record.js";
import { BackoffPolicy, type BackoffOptions } from "./backoff-policy.js";

export type UpstreamState = "idle" | "starting" | "up" | "backoff";

/** What `/ready` and the metrics report about one server's supervised stdio upstreams. */
export interface UpstreamHealth {
  server: string;
  state: UpstreamState;
  /** Running upstream processes of this server (every era and endpoint) that answered / are starting. */
  upCount: number;
  startingCount: number;
  /** Starts after a crash so far (the first start after each crash). */
  restarts: number;
  consecutiveFailures: number;
  /** 1 for the `portcullis_upstream_up` gauge: not in backoff, and the last upstream to finish starting or to stop did not fail. */
  healthy: boolean;
  /** While in backoff: how long until the next start is allowed. */
  retryInMs?: number;
  lastExit?: { how: string; at: string };
}

export type Admission = { ok: true } | { ok: false; retryAfterMs: number; lastExit?: string };

/** One upstream process of a supervised server: reports its own handshake, crash or expected stop. */
export interface UpstreamRun {
  /** The upstream answered (its handshake, or its first message). */
  up(): void;
  /** The upstream went away unexpectedly (or failed to start). Returns the backoff delay before the next start. */
  crashed(how: string, stderrTail?: readonly string[]): number;
  /** The upstream was stopped on purpose (session closed, DELETE, idle sweep, shutdown): no backoff. */
  stopped(): void;
}

export type SupervisorEvent = "start" | "restart" | "up" | "crash" | "stop";

export interface SupervisorOptions {
  server: string;
  audit: AuditLog;
  log: (line: string) => void;
  /** Zero data retention: the stderr tail (which may echo data) is not written to the audit log. */
  zdr?: boolean;
  backoff?: BackoffOptions;
  now?: () => number;
  /** Told about every start, restart, handshake, crash and stop (metrics). */
  onEvent?: (server: string, event: SupervisorEvent, health: UpstreamHealth) => void;
}

const NO_RUN: UpstreamRun = { up: () => {}, crashed: () => 0, stopped: () => {} };

/**
 * Supervises every lazily spawned stdio upstream of one server: the stateless channels of
 * `/mcp/<server>` and `/mcp`, legacy sessions' own upstreams, and the aggregated sessions' links.
 * Each upstream process is a run that reports its handshake, crash or expected stop. After a crash
 * no new upstream of the server may start before the backoff delay has passed (exponential, with
 * jitter, reset after a long enough uptime); starts asked for meanwhile are refused with
 * `retryAfterMs` instead of spawning a crash loop. Upstreams already running are not touched.
 * Only a crash of an upstream started after the previous crash escalates the delay: several
 * upstreams that were running when the server broke are one incident, not a loop.
 * Crashes and restarts are audited and logged with the upstream's stderr tail.
 */
export class UpstreamSupervisor {
  private readonly policy: BackoffPolicy;
  private readonly now: () => number;
  private readonly starting = new Set<object>();
  private readonly upRuns = new Set<object>();
  private retryAt = 0;
  private lastDelay = 0;
  private restarts = 0;
  private crashedAt?: number;
  /** The next start is the first after a crash: a restart. */
  private restartPending = false;
  /** How the last upstream to finish starting (or to end) fared: the `up` gauge. */
  private lastOutcome?: "ok" | "failed";
  private lastExit?: { how: string; at: number };
  /** Last start, handshake, crash or stop (pruning). */
  lastEventAt: number;

  constructor(private readonly opts: SupervisorOptions) {
    this.policy = new BackoffPolicy(opts.backoff);
    this.now = opts.now ?? Date.now;
    this.lastEventAt = this.now();
  }

  get server(): string {
    return this.opts.server;
  }

  /** May a new upstream be started now? */
  admit(): Admission {
    const wait = this.retryAt - this.now();
    if (wait > 0) return { ok: false, retryAfterMs: wait, lastExit: this.lastExit?.how };
    return { ok: true };
  }

  /** In backoff: a crash happened and the delay has not passed yet. */
  get inBackoff(): boolean {
    return this.retryAt > this.now();
  }

  /** Running upstreams (starting or up). */
  get running(): number {
    return this.starting.size + this.upRuns.size;
  }

  /** A new upstream process is being started (after `admit()`); `caller` names it in audit lines. */
  start(caller?: string): UpstreamRun {
    const token = {};
    const startedAt = this.now();
    this.lastEventAt = startedAt;
    this.starting.add(token);
    if (this.restartPending) {
      this.restartPending = false;
      this.restarts++;
      const n = this.policy.consecutiveFailures;
      this.opts.log(`upstream "${this.opts.server}": restarting (attempt ${n + 1} after ${n} crash${n === 1 ? "" : "es"})`);
      this.opts.audit.record({ event: "upstream_restart", severity: "info", server: this.opts.server, caller, layer: "supervisor", reason: `restarting after ${n} consecutive crash(es)`, details: { restarts: this.restarts, consecutiveFailures: n } });
      this.emit("restart");
    }
    this.emit("start");
    let ended = false;
    return {
      up: () => {
        if (ended || !this.starting.delete(token)) return;
        this.upRuns.add(token);
        this.lastOutcome = "ok";
        this.lastEventAt = this.now();
        this.emit("up");
      },
      crashed: (how, stderrTail = []) => {
        if (ended) return 0;
        ended = true;
        this.starting.delete(token);
        this.upRuns.delete(token);
        return this.crash(startedAt, caller, how, stderrTail);
      },
      stopped: () => {
        if (ended) return;
        ended = true;
        this.starting.delete(token);
        this.upRuns.delete(token);
        this.lastEventAt = this.now();
        this.emit("stop");
      },
    };
  }

  private crash(startedAt: number, caller: string | undefined, how: string, stderrTail: readonly string[]): number {
    const now = this.now();
    const upMs = Math.max(0, now - startedAt);
    // An upstream that was already running when the server last crashed is part of that incident.
    const sameIncident = this.crashedAt !== undefined && startedAt < this.crashedAt;
    let delay: number;
    if (sameIncident) delay = this.retryAt > now ? this.retryAt - now : this.lastDelay;
    else {
      delay = this.policy.crashed(upMs);
      this.lastDelay = delay;
      this.crashedAt = now;
    }
    this.retryAt = Math.max(this.retryAt, now + delay);
    this.restartPending = true;
    this.lastOutcome = "failed";
    this.lastExit = { how, at: now };
    this.lastEventAt = now;
    const tail = stderrTail.length > 0 ? `; stderr tail:\n${stderrTail.map((l) => `  [${this.opts.server}] ${l}`).join("\n")}` : "; no stderr output";
    this.opts.log(`upstream "${this.opts.server}" ${how} after ${upMs} ms; next start allowed in ${delay} ms (crash ${this.policy.consecutiveFailures} in a row)${tail}`);
    this.opts.audit.record({
      event: "upstream_backoff", severity: "medium", server: this.opts.server, caller, decision: "deny", layer: "supervisor", code: "UPSTREAM_RESTARTING",
      reason: `upstream ${how} after ${upMs} ms; restart allowed in ${delay} ms`,
      details: { uptimeMs: upMs, delayMs: delay, consecutiveFailures: this.policy.consecutiveFailures, ...(sameIncident ? { sameIncident: true } : {}), ...(this.opts.zdr ? {} : { stderrTail: [...stderrTail] }) },
    });
    this.emit("crash");
    return delay;
  }

  health(): UpstreamHealth {
    const backoff = this.inBackoff;
    const state: UpstreamState = backoff ? "backoff" : this.upRuns.size > 0 ? "up" : this.starting.size > 0 ? "starting" : "idle";
    const healthy = !backoff && (this.upRuns.size > 0 || this.lastOutcome !== "failed");
    const h: UpstreamHealth = { server: this.opts.server, state, upCount: this.upRuns.size, startingCount: this.starting.size, restarts: this.restarts, consecutiveFailures: this.policy.consecutiveFailures, healthy };
    if (backoff) h.retryInMs = Math.max(0, this.retryAt - this.now());
    if (this.lastExit) h.lastExit = { how: this.lastExit.how, at: new Date(this.lastExit.at).toISOString() };
    return h;
  }

  private emit(event: SupervisorEvent): void {
    this.opts.onEvent?.(this.opts.server, event, this.health());
  }
}

/** Starts a supervised run when there is a supervisor; a no-op run otherwise (remote upstreams, `wrap`). */
export function startRun(supervisor: UpstreamSupervisor | undefined, caller?: string): UpstreamRun {
  return supervisor ? supervisor.start(caller) : NO_RUN;
}

/**
 * Keeps the last `maxLines` lines an upstream wrote to stderr and passes each complete line to `log`
 * prefixed with the server name, so the operator log says which server said what.
 */
export class StderrTail {
  private readonly lines: string[] = [];
  private partial = "";

  constructor(private readonly server: string, private readonly log: (line: string) => void, private readonly maxLines = 20, private readonly maxLineChars = 500) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? "";
    if (this.partial.length > 64 * 1024) {
      parts.push(this.partial);
      this.partial = "";
    }
    for (const p of parts) this.add(p);
  }

  /** Flushes an unterminated last line (the process exited). */
  end(): void {
    if (this.partial) this.add(this.partial);
    this.partial = "";
  }

  tail(): string[] {
    return [...this.lines];
  }

  private add(raw: string): void {
    const line = raw.length > this.maxLineChars ? `${raw.slice(0, this.maxLineChars)}…` : raw;
    if (line.trim() === "") return;
    this.log(`[${this.server}] ${line}`);
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.shift();
  }
}

/** Drop a supervisor's state after this long without a start, crash or stop, and no upstream running. */
export const FORGET_AFTER_MS = 60 * 60_000;

/**
 * The gateway's supervisors, one per server (not per caller: a crash is the server's fault, so every
 * caller's next start waits for the backoff; docs/reliability.md). Shared by `/mcp/<server>` (both
 * eras) and `/mcp`; outlives the upstreams themselves. Idle, healthy entries are pruned.
 */
export class UpstreamSupervisors {
  private readonly byServer = new Map<string, UpstreamSupervisor>();
  private readonly listeners: ((server: string, event: SupervisorEvent, health: UpstreamHealth) => void)[] = [];
  private readonly now: () => number;

  constructor(private readonly defaults: { audit: AuditLog; log: (line: string) => void; backoff?: BackoffOptions; now?: () => number; forgetAfterMs?: number }) {
    this.now = defaults.now ?? Date.now;
  }

  /** The supervisor of a server's stdio upstreams; undefined for a server without `command` (remote). */
  for(server: { name: string; command?: readonly string[]; audit?: { zdr?: boolean } }): UpstreamSupervisor | undefined {
    if (!server.command || server.command.length === 0) return undefined;
    return this.get(server.name, { zdr: server.audit?.zdr });
  }

  get(server: string, opts: { zdr?: boolean } = {}): UpstreamSupervisor {
    let s = this.byServer.get(server);
    if (!s) {
      s = new UpstreamSupervisor({ audit: this.defaults.audit, log: this.defaults.log, backoff: this.defaults.backoff, now: this.defaults.now, server, zdr: opts.zdr, onEvent: (sv, e, h) => this.listeners.forEach((l) => l(sv, e, h)) });
      this.byServer.set(server, s);
    }
    return s;
  }

  /** Every start, restart, handshake, crash and stop of any server's upstreams (metrics). */
  onEvent(listener: (server: string, event: SupervisorEvent, health: UpstreamHealth) => void): void {
    this.listeners.push(listener);
  }

  health(): UpstreamHealth[] {
    return [...this.byServer.values()].map((s) => s.health());
  }

  /** Forgets servers with no upstream running, not in backoff, and no event for `forgetAfterMs` (default 1 h). */
  prune(): number {
    const cutoff = this.now() - (this.defaults.forgetAfterMs ?? FORGET_AFTER_MS);
    let n = 0;
    for (const [k, s] of this.byServer) {
      if (s.running === 0 && !s.inBackoff && s.lastEventAt < cutoff) {
        this.byServer.delete(k);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.byServer.size;
  }

  /** Per server, for `/ready`: upstreams running and starting, backoff (0/1), idle (0/1), restarts. */
  summary(): Record<string, { state: UpstreamState; up: number; starting: number; idle: number; backoff: number; restarts: number; consecutiveFailures: number; retryInMs?: number; lastExit?: { how: string; at: string } }> {
    const out: ReturnType<UpstreamSupervisors["summary"]> = {};
    for (const s of this.byServer.values()) {
      const h = s.health();
      out[h.server] = {
        state: h.state, up: h.upCount, starting: h.startingCount, idle: h.state === "idle" ? 1 : 0, backoff: h.state === "backoff" ? 1 : 0, restarts: h.restarts, consecutiveFailures: h.consecutiveFailures,
        ...(h.retryInMs !== undefined ? { retryInMs: h.retryInMs } : {}), ...(h.lastExit ? { lastExit: h.lastExit } : {}),
      };
    }
    return out;
  }
}
