import type { RateLimitResult, RateLimitRule } from "./rate-limit-rule.js";

/** Options of `Store.set`. */
export interface SetOptions {
  /** Time to live in milliseconds; absent = until deleted. */
  ttlMs?: number;
  /** Write only when the key does not exist (or has expired); `set` then returns false if it did. */
  ifAbsent?: boolean;
}

/** One live entry, as `list` returns it. */
export interface StoreEntry {
  key: string;
  value: string;
}

/**
 * Shared state behind keys, rate limits, approvals and pins (docs/store.md). Two implementations:
 * `SqliteStore` (embedded, one host) and `RedisStore` (shared by every gateway process that uses the
 * same Redis). Values are strings (callers store JSON). Every operation is atomic on its own;
 * `hit`, `take` and `compareAndDelete` are the atomic read-modify-write primitives.
 *
 * Every method rejects with `StoreUnavailableError` when the backend cannot be reached, so callers
 * can fail closed. Expired entries are invisible to every method.
 */
export interface Store {
  /** "sqlite", "redis" or "memory" (process-local): for logs and `portcullis keys` output. */
  readonly kind: "sqlite" | "redis" | "memory";
  /** Where the state lives, without credentials (a file path or redis://host:port/db). */
  readonly location: string;

  get(key: string): Promise<string | undefined>;
  /** Writes `value`; returns false only when `ifAbsent` was set and a live entry existed. */
  set(key: string, value: string, options?: SetOptions): Promise<boolean>;
  /** Removes a key; true when a live entry was removed. */
  delete(key: string): Promise<boolean>;
  /** Atomically reads and removes a key (single-use records: approvals, nonces). */
  take(key: string): Promise<string | undefined>;
  /** Atomically removes a key only if it currently holds `expected`; true when it did. */
  compareAndDelete(key: string, expected: string): Promise<boolean>;
  /** Live entries whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<StoreEntry[]>;
  /**
   * Records one event against every rule, all or nothing: when every rule has room, each counts the
   * event and the result is allowed; when any rule is full, none counts it. Token bucket (GCRA):
   * bursts of up to `limit`, refilled at `limit` per `windowMs`.
   */
  hit(rules: readonly RateLimitRule[]): Promise<RateLimitResult>;
  /** `hit` without a promise, for stores that need no I/O (the memory store); throws when closed. */
  hitSync?(rules: readonly RateLimitRule[]): RateLimitResult;
  /** Releases the connection or file handle. Further calls reject. */
  close(): Promise<void>;
}
