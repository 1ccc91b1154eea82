/** How an upstream that keeps crashing is restarted: exponential backoff with jitter. */
export interface BackoffOptions {
  /** Delay after the first crash. Default 500 ms. */
  initialMs?: number;
  /** Upper bound of any delay. Default 30 s. */
  maxMs?: number;
  /** Growth per consecutive crash. Default 2. */
  multiplier?: number;
  /** Each delay is spread by ±this fraction, so many callers' upstreams do not restart in lockstep. Default 0.2. */
  jitter?: number;
  /** An upstream that stayed up this long before crashing starts again from `initialMs`. Default 60 s. */
  resetAfterMs?: number;
  /** In [0, 1); injectable for tests. */
  random?: () => number;
}

export const DEFAULT_BACKOFF: Required<Omit<BackoffOptions, "random">> = { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.2, resetAfterMs: 60_000 };

/**
 * Pure backoff arithmetic (no clock, no timers): the supervisor tells it how long the upstream was up
 * before each crash and gets the delay before the next start is allowed.
 */
export class BackoffPolicy {
  private readonly o: Required<Omit<BackoffOptions, "random">>;
  private readonly random: () => number;
  private failures = 0;

  constructor(opts: BackoffOptions = {}) {
    this.o = { ...DEFAULT_BACKOFF, ...Object.fromEntries(Object.entries(opts).filter(([k, v]) => k !== "random" && v !== undefined)) };
    this.random = opts.random ?? Math.random;
  }

  /** Consecutive crashes counted so far (0 after a reset). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** The un-jittered delay for the `n`-th consecutive crash (n >= 1). */
  baseDelay(n: number): number {
    return Math.min(this.o.maxMs, this.o.initialMs * this.o.multiplier ** Math.max(0, n - 1));
  }

  /** The upstream crashed after `upMs` of uptime: the delay (ms) before it may start again. */
  crashed(upMs: number): number {
    if (upMs >= this.o.resetAfterMs) this.failures = 0;
    this.failures++;
    const base = this.baseDelay(this.failures);
    const spread = base * this.o.jitter * (2 * this.random() - 1);
    return Math.max(0, Math.min(this.o.maxMs, Math.round(base + spread)));
  }

  /** Forget past crashes (the upstream was stopped on purpose, or proved stable). */
  reset(): void {
    this.failures = 0;
  }
}
