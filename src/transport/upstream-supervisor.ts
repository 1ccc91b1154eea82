import type { AuditLog } from "../audit/audit-record.js";
import { BackoffPolicy, type BackoffOptions } from "./backoff-policy.js";

export type UpstreamState = "idle" | "starting" | "up" | "backoff";

/** What `/ready` reports about one supervised upstream. */
export interface UpstreamHealth {
  server: string;
  state: UpstreamState;
  /** Starts after a crash so far. */
  restarts: number;
  consecutiveFailures: number;
  /** While in backoff: how long until the next start is allowed. */
  retryInMs?: number;
  lastExit?: { how: string; at: string };
}

export type Admission = { ok: true } | { ok: false; retryAfterMs: number; lastExit?: string };

export interface SupervisorOptions {
  server: string;
  audit: AuditLog;
  log: (line: string) => void;
  /** Hashed caller, for audit lines. */
  caller?: string;
  /** Zero data retention: the stderr tail (which may echo data) is not written to the audit log. */
  zdr?: boolean;
  backoff?: BackoffOptions;
  now?: () => number;
}

/**
 * Supervises one lazily spawned, shared upstream (a stateless-era channel's stdio server). The channel
 * reports starts, successful handshakes and crashes; after a crash the next start is allowed only once
 * the backoff delay has passed (exponential, with jitter, reset after a long enough uptime), and
 * requests arriving before then are refused with `retryAfterMs` instead of spawning a crash loop.
 * Crashes and restarts are audited and logged with the upstream's stderr tail.
 */
export class UpstreamSupervisor {
  private readonly policy: BackoffPolicy;
  private readonly now: () => number;
  private state: UpstreamState = "idle";
  private startedAt = 0;
  private retryAt = 0;
  private restarts = 0;
  private crashedBefore = false;
  private lastExit?: { how: string; at: number };

  constructor(private readonly opts: SupervisorOptions) {
    this.policy = new BackoffPolicy(opts.backoff);
    this.now = opts.now ?? Date.now;
  }

  /** May a new upstream be started now? */
  admit(): Admission {
    if (this.state !== "backoff") return { ok: true };
    const wait = this.retryAt - this.now();
    if (wait > 0) return { ok: false, retryAfterMs: wait, lastExit: this.lastExit?.how };
    return { ok: true };
  }

  /** A new upstream process is being started. */
  started(): void {
    const restart = this.crashedBefore;
    this.state = "starting";
    this.startedAt = this.now();
    if (restart) {
      this.restarts++;
      this.opts.log(`upstream "${this.opts.server}": restarting (attempt ${this.policy.consecutiveFailures + 1} after ${this.policy.consecutiveFailures} crash${this.policy.consecutiveFailures === 1 ? "" : "es"})`);
      this.opts.audit.record({ event: "upstream_restart", severity: "info", server: this.opts.server, caller: this.opts.caller, layer: "supervisor", reason: `restarting after ${this.policy.consecutiveFailures} consecutive crash(es)`, details: { restarts: this.restarts, consecutiveFailures: this.policy.consecutiveFailures } });
    }
  }

  /** The upstream answered the handshake. */
  up(): void {
    if (this.state === "starting") this.state = "up";
  }

  /** The upstream went away unexpectedly. Returns the backoff delay before the next start. */
  crashed(how: string, stderrTail: readonly string[] = []): number {
    const now = this.now();
    const upMs = Math.max(0, now - this.startedAt);
    const delay = this.policy.crashed(upMs);
    this.state = "backoff";
    this.retryAt = now + delay;
    this.crashedBefore = true;
    this.lastExit = { how, at: now };
    const tail = stderrTail.length > 0 ? `; stderr tail:\n${stderrTail.map((l) => `  [${this.opts.server}] ${l}`).join("\n")}` : "; no stderr output";
    this.opts.log(`upstream "${this.opts.server}" ${how} after ${upMs} ms; next start allowed in ${delay} ms (crash ${this.policy.consecutiveFailures} in a row)${tail}`);
    this.opts.audit.record({
      event: "upstream_backoff", severity: "medium", server: this.opts.server, caller: this.opts.caller, decision: "deny", layer: "supervisor", code: "UPSTREAM_RESTARTING",
      reason: `upstream ${how} after ${upMs} ms; restart allowed in ${delay} ms`,
      details: { uptimeMs: upMs, delayMs: delay, consecutiveFailures: this.policy.consecutiveFailures, ...(this.opts.zdr ? {} : { stderrTail: [...stderrTail] }) },
    });
    return delay;
  }

  /** The upstream was stopped on purpose (shutdown, idle): no backoff. */
  stopped(): void {
    if (this.state !== "backoff") this.state = "idle";
  }

  health(): UpstreamHealth {
    const h: UpstreamHealth = { server: this.opts.server, state: this.state, restarts: this.restarts, consecutiveFailures: this.policy.consecutiveFailures };
    if (this.state === "backoff") h.retryInMs = Math.max(0, this.retryAt - this.now());
    if (this.lastExit) h.lastExit = { how: this.lastExit.how, at: new Date(this.lastExit.at).toISOString() };
    return h;
  }
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

/** The gateway's supervisors, one per (server, caller) channel key; outlives the channels themselves. */
export class UpstreamSupervisors {
  private readonly byKey = new Map<string, UpstreamSupervisor>();

  constructor(private readonly defaults: { audit: AuditLog; log: (line: string) => void; backoff?: BackoffOptions; now?: () => number }) {}

  get(key: string, opts: { server: string; caller?: string; zdr?: boolean }): UpstreamSupervisor {
    let s = this.byKey.get(key);
    if (!s) {
      s = new UpstreamSupervisor({ ...this.defaults, ...opts });
      this.byKey.set(key, s);
    }
    return s;
  }

  /** Per server: how many supervised upstreams are in each state, and whether any is backing off. */
  summary(): Record<string, { up: number; starting: number; idle: number; backoff: number; restarts: number; retryInMs?: number; lastExit?: { how: string; at: string } }> {
    const out: ReturnType<UpstreamSupervisors["summary"]> = {};
    for (const s of this.byKey.values()) {
      const h = s.health();
      const e = (out[h.server] ??= { up: 0, starting: 0, idle: 0, backoff: 0, restarts: 0 });
      e[h.state]++;
      e.restarts += h.restarts;
      if (h.retryInMs !== undefined) e.retryInMs = Math.max(e.retryInMs ?? 0, h.retryInMs);
      if (h.lastExit && (!e.lastExit || e.lastExit.at < h.lastExit.at)) e.lastExit = h.lastExit;
    }
    return out;
  }
}
