import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { gcraStep } from "./gcra.js";
import { checkRules, type RateLimitResult, type RateLimitRule } from "./rate-limit-rule.js";
import type { SetOptions, Store, StoreEntry } from "./store.js";
import { storeFailure, StoreUnavailableError } from "./store-error.js";

export interface SqliteStoreOptions {
  /** Clock in epoch milliseconds (tests). */
  now?: () => number;
  /** How often expired rows are swept, in ms (default 60 s; 0 = only on open). */
  sweepIntervalMs?: number;
  /** How long a write waits for another process's lock before failing (default 500 ms; better-sqlite3 waits synchronously, so keep it short). */
  busyTimeoutMs?: number;
}

// The highest code point: a UTF-8 string starting with `prefix` sorts below prefix + this.
const MAX_CHAR = "\u{10FFFF}";

/**
 * The embedded store: one SQLite file (WAL mode) under the state directory, created 0600. Every
 * operation is a prepared statement; read-modify-write operations run in an IMMEDIATE transaction,
 * so several processes on one host sharing the file stay consistent. State does not leave the host:
 * use `RedisStore` to share limits between hosts.
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  readonly location: string;
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly sweepTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly stmt: ReturnType<SqliteStore["prepare"]>;
  private readonly hitTx: (rules: readonly RateLimitRule[], now: number) => RateLimitResult;
  private readonly takeTx: (key: string, now: number) => string | undefined;

  /** Opens (creating if needed) the database at `file`; ":memory:" for a private in-memory store. */
  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.location = file;
    try {
      if (file !== ":memory:") prepareFile(file);
      this.db = new Database(file);
      if (file !== ":memory:") this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
      this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 500}`);
      this.db.exec(SCHEMA);
      this.stmt = this.prepare();
    } catch (e) {
      throw storeFailure("sqlite", `opening ${file}`, e);
    }
    this.hitTx = this.db.transaction((rules, now) => this.hitIn(rules, now)).immediate as never;
    this.takeTx = this.db.transaction((key: string, now: number) => {
      const row = this.stmt.get.get(key, now) as { value: string } | undefined;
      this.stmt.deleteAny.run(key);
      return row?.value;
    }).immediate as never;
    this.sweep();
    const every = options.sweepIntervalMs ?? 60_000;
    if (every > 0) {
      this.sweepTimer = setInterval(() => {
        try {
          this.sweep();
        } catch {
          // a locked or failing database is reported by the next real operation
        }
      }, every);
      this.sweepTimer.unref();
    }
  }

  private prepare() {
    const db = this.db;
    const live = "(expires_at IS NULL OR expires_at > ?)";
    return {
      get: db.prepare(`SELECT value FROM kv WHERE key = ? AND ${live}`),
      put: db.prepare("INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at"),
      putIfAbsent: db.prepare("INSERT INTO kv (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= ?"),
      deleteLive: db.prepare(`DELETE FROM kv WHERE key = ? AND ${live}`),
      deleteAny: db.prepare("DELETE FROM kv WHERE key = ?"),
      compareAndDelete: db.prepare(`DELETE FROM kv WHERE key = ? AND value = ? AND ${live}`),
      list: db.prepare(`SELECT key, value FROM kv WHERE key >= ? AND key < ? AND ${live} ORDER BY key`),
      getTat: db.prepare("SELECT tat FROM rate WHERE key = ? AND tat > ?"),
      putTat: db.prepare("INSERT INTO rate (key, tat) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET tat = excluded.tat"),
      sweepKv: db.prepare("DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= ?"),
      sweepRate: db.prepare("DELETE FROM rate WHERE tat <= ?"),
    };
  }

  async get(key: string): Promise<string | undefined> {
    return this.run("get", () => (this.stmt.get.get(key, this.now()) as { value: string } | undefined)?.value);
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<boolean> {
    return this.run("set", () => {
      const now = this.now();
      const expires = ttlToExpiry(options.ttlMs, now);
      if (options.ifAbsent) return this.stmt.putIfAbsent.run(key, value, expires, now).changes > 0;
      this.stmt.put.run(key, value, expires);
      return true;
    });
  }

  async delete(key: string): Promise<boolean> {
    return this.run("delete", () => this.stmt.deleteLive.run(key, this.now()).changes > 0);
  }

  async take(key: string): Promise<string | undefined> {
    return this.run("take", () => this.takeTx(key, this.now()));
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    return this.run("compareAndDelete", () => this.stmt.compareAndDelete.run(key, expected, this.now()).changes > 0);
  }

  async list(prefix: string): Promise<StoreEntry[]> {
    return this.run("list", () => this.stmt.list.all(prefix, prefix + MAX_CHAR, this.now()) as StoreEntry[]);
  }

  async hit(rules: readonly RateLimitRule[]): Promise<RateLimitResult> {
    checkRules(rules);
    return this.run("hit", () => this.hitTx(rules, this.now()));
  }

  /** GCRA (gcra.ts) over every rule; all or nothing: a refused call counts against no rule. */
  private hitIn(rules: readonly RateLimitRule[], now: number): RateLimitResult {
    const steps = rules.map((r) => gcraStep(r, (this.stmt.getTat.get(r.key, now) as { tat: number } | undefined)?.tat, now));
    let deniedRule: number | undefined;
    steps.forEach((s, i) => {
      if (!s.allowed && (deniedRule === undefined || s.retryAfterMs > steps[deniedRule]!.retryAfterMs)) deniedRule = i;
    });
    if (deniedRule !== undefined) return { allowed: false, remaining: 0, retryAfterMs: steps[deniedRule]!.retryAfterMs, deniedRule };
    rules.forEach((r, i) => this.stmt.putTat.run(r.key, steps[i]!.newTat));
    return { allowed: true, remaining: Math.min(...steps.map((s) => s.remaining)), retryAfterMs: 0 };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.db.close();
  }

  /** Deletes expired entries and hits (they are already invisible; this reclaims space). */
  sweep(): void {
    const now = this.now();
    this.stmt.sweepKv.run(now);
    this.stmt.sweepRate.run(now);
  }

  private run<T>(op: string, fn: () => T): T {
    if (this.closed) throw new StoreUnavailableError(`sqlite store: ${op} after close`);
    try {
      return fn();
    } catch (e) {
      throw storeFailure("sqlite", op, e);
    }
  }
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_expires ON kv (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS rate (key TEXT PRIMARY KEY, tat REAL NOT NULL) WITHOUT ROWID;
`;

function ttlToExpiry(ttlMs: number | undefined, now: number): number | null {
  if (ttlMs === undefined) return null;
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new TypeError(`ttlMs must be a positive number, got ${ttlMs}`);
  return now + Math.ceil(ttlMs);
}

/**
 * Creates the state directory (0700) and the database file (0600) before SQLite opens it, so the
 * file never exists with wider permissions; SQLite gives its -wal and -shm files the same mode.
 */
function prepareFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    const st = fs.fstatSync(fd);
    if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) fs.fchmodSync(fd, 0o600);
  } finally {
    fs.closeSync(fd);
  }
}
