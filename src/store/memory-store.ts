import { gcraStep, type GcraStep } from "./gcra.js";
import { checkRules, type RateLimitResult, type RateLimitRule } from "./rate-limit-rule.js";
import type { SetOptions, Store, StoreEntry } from "./store.js";
import { StoreUnavailableError } from "./store-error.js";

interface Entry {
  value: string;
  expiresAt?: number;
}

/** The data behind one or more MemoryStore handles (several handles = several "gateways" in one process). */
export class MemoryState {
  readonly kv = new Map<string, Entry>();
  /** Rate-limit buckets: key -> theoretical arrival time (gcra.ts). */
  readonly tats = new Map<string, number>();
}

/**
 * A process-local store: the default for `wrap`, where a session is one process and nothing needs to
 * be shared. Same contract as SQLite and Redis (one JS turn is atomic), no I/O, no native module, so
 * the rate-limit layer costs microseconds on the hot path. State is lost when the process exits.
 */
export class MemoryStore implements Store {
  readonly kind = "memory" as const;
  readonly location = "memory";
  private closed = false;
  private ops = 0;

  constructor(private readonly state: MemoryState = new MemoryState(), private readonly now: () => number = Date.now) {}

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<boolean> {
    this.check();
    if (options.ifAbsent && this.live(key)) return false;
    if (options.ttlMs !== undefined && (!Number.isFinite(options.ttlMs) || options.ttlMs <= 0)) throw new TypeError(`ttlMs must be a positive number, got ${options.ttlMs}`);
    this.state.kv.set(key, { value, expiresAt: options.ttlMs === undefined ? undefined : this.now() + Math.ceil(options.ttlMs) });
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const hit = this.live(key) !== undefined;
    this.state.kv.delete(key);
    return hit;
  }

  async take(key: string): Promise<string | undefined> {
    const e = this.live(key);
    this.state.kv.delete(key);
    return e?.value;
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    const e = this.live(key);
    if (e?.value !== expected) return false;
    this.state.kv.delete(key);
    return true;
  }

  async list(prefix: string): Promise<StoreEntry[]> {
    this.check();
    const out: StoreEntry[] = [];
    for (const key of this.state.kv.keys()) {
      if (!key.startsWith(prefix)) continue;
      const e = this.live(key);
      if (e) out.push({ key, value: e.value });
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async hit(rules: readonly RateLimitRule[]): Promise<RateLimitResult> {
    return this.hitSync(rules);
  }

  hitSync(rules: readonly RateLimitRule[]): RateLimitResult {
    checkRules(rules);
    this.check();
    const now = this.now();
    const tats = this.state.tats;
    // Wrap's hot path runs this on every call with one or two rules: plain loops, no callbacks.
    const steps: GcraStep[] = new Array<GcraStep>(rules.length);
    let denied = -1;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      const s = (steps[i] = gcraStep(r, tats.get(r.key), now));
      // The rule that needs the longest wait (the first of equals) names the refusal.
      if (!s.allowed && (denied === -1 || s.retryAfterMs > steps[denied]!.retryAfterMs)) denied = i;
    }
    if (denied !== -1) return { allowed: false, remaining: 0, retryAfterMs: steps[denied]!.retryAfterMs, deniedRule: denied };
    let remaining = Infinity;
    for (let i = 0; i < rules.length; i++) {
      const s = steps[i]!;
      tats.set(rules[i]!.key, s.newTat);
      remaining = Math.min(remaining, s.remaining);
    }
    if (++this.ops % 4096 === 0) this.sweep(now);
    return { allowed: true, remaining, retryAfterMs: 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Drops expired entries and full buckets, so memory follows live keys, not history. */
  private sweep(now: number): void {
    for (const [k, tat] of this.state.tats) if (tat <= now) this.state.tats.delete(k);
    for (const [k, e] of this.state.kv) if (e.expiresAt !== undefined && e.expiresAt <= now) this.state.kv.delete(k);
  }

  private live(key: string): Entry | undefined {
    this.check();
    const e = this.state.kv.get(key);
    if (e?.expiresAt !== undefined && e.expiresAt <= this.now()) {
      this.state.kv.delete(key);
      return undefined;
    }
    return e;
  }

  private check(): void {
    if (this.closed) throw new StoreUnavailableError("memory store: the store is closed");
  }
}
