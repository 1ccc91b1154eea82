import { Redis, type RedisOptions } from "ioredis";
import { checkRules, type RateLimitResult, type RateLimitRule } from "./rate-limit-rule.js";
import type { SetOptions, Store, StoreEntry } from "./store.js";
import { storeFailure, StoreUnavailableError } from "./store-error.js";

export interface RedisStoreOptions {
  /** Prepended to every Redis key (default "portcullis:"), so several deployments can share a Redis. */
  prefix?: string;
  /** How long `open` waits for the first connection (default 3000 ms). */
  connectTimeoutMs?: number;
  /** A command that gets no answer within this many ms fails (default 1000; the layer timeout is 2 s). */
  commandTimeoutMs?: number;
  /** Extra ioredis options (tests); the fail-fast options below always win. */
  redis?: RedisOptions;
}

// GCRA (see gcra.ts, whose arithmetic this mirrors), all or nothing across the rules. Time is the
// Redis server's, so gateways with skewed clocks share one limit. KEYS: one per rule (its TAT).
// ARGV: limit and window per rule. Returns {allowed, remaining, retryAfterMs, deniedRule (1-based, 0 = none)}.
const HIT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local remaining = -1
local denied = 0
local retry = 0
local tats = {}
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i - 1])
  local window = tonumber(ARGV[2 * i])
  local interval = window / limit
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  local newTat = tat + interval
  local allowAt = newTat - window
  if now < allowAt then
    local wait = math.max(1, math.ceil(allowAt - now))
    if denied == 0 or wait > retry then
      retry = wait
      denied = i
    end
  else
    tats[i] = newTat
    local left = math.max(0, math.floor((window - (newTat - now)) / interval + 1e-9))
    if remaining < 0 or left < remaining then remaining = left end
  end
end
if denied > 0 then return {0, 0, retry, denied} end
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], tostring(tats[i]), 'PX', math.max(1, math.ceil(tats[i] - now)))
end
return {1, remaining, 0, 0}
`;

const TAKE_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if v then redis.call('DEL', KEYS[1]) end
return v
`;

const COMPARE_AND_DELETE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface ScriptedRedis extends Redis {
  pclHit(...args: (string | number)[]): Promise<[number, number, number, number]>;
  pclTake(key: string): Promise<string | null>;
  pclCompareAndDelete(key: string, expected: string): Promise<number>;
}

/**
 * The shared store: every gateway process pointing at the same Redis (and prefix) enforces one set
 * of limits and sees the same keys and approvals. Atomic operations are Lua scripts (sent by hash,
 * re-sent automatically after a Redis restart empties the script cache).
 *
 * Fails fast instead of queueing: while Redis is unreachable every operation rejects with
 * `StoreUnavailableError` (no offline queue, no silent retry of a half-sent rate-limit hit), and the
 * client keeps reconnecting in the background, so service resumes by itself once Redis is back.
 */
export class RedisStore implements Store {
  readonly kind = "redis" as const;
  readonly location: string;
  private readonly client: ScriptedRedis;
  private readonly prefix: string;
  private closed = false;
  private lastError?: string;

  private constructor(client: ScriptedRedis, location: string, prefix: string) {
    this.client = client;
    this.location = location;
    this.prefix = prefix;
    client.on("error", (e: Error) => {
      this.lastError = e.message; // reported by the next failing operation; an unhandled "error" would crash
    });
  }

  /** Connects to `url` (redis:// or rediss://) and waits until Redis answers; rejects if it does not. */
  static async open(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const client = new Redis(url, {
      ...options.redis,
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      connectTimeout: options.connectTimeoutMs ?? 3000,
      commandTimeout: options.commandTimeoutMs ?? 1000,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
    }) as ScriptedRedis;
    client.defineCommand("pclHit", { lua: HIT_SCRIPT });
    client.defineCommand("pclTake", { numberOfKeys: 1, lua: TAKE_SCRIPT });
    client.defineCommand("pclCompareAndDelete", { numberOfKeys: 1, lua: COMPARE_AND_DELETE_SCRIPT });
    const store = new RedisStore(client, redactUrl(url), options.prefix ?? "portcullis:");
    try {
      await withDeadline(client.connect(), options.connectTimeoutMs ?? 3000, "connect");
    } catch (e) {
      client.disconnect();
      throw new StoreUnavailableError(`redis store: cannot connect to ${store.location}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    return store;
  }

  private kv(key: string): string {
    return `${this.prefix}kv:${key}`;
  }

  async get(key: string): Promise<string | undefined> {
    return this.run("get", async () => (await this.client.get(this.kv(key))) ?? undefined);
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<boolean> {
    return this.run("set", async () => {
      const k = this.kv(key);
      const ttl = options.ttlMs;
      if (ttl !== undefined && (!Number.isFinite(ttl) || ttl <= 0)) throw new TypeError(`ttlMs must be a positive number, got ${ttl}`);
      let reply: string | null;
      if (ttl !== undefined && options.ifAbsent) reply = await this.client.set(k, value, "PX", Math.ceil(ttl), "NX");
      else if (ttl !== undefined) reply = await this.client.set(k, value, "PX", Math.ceil(ttl));
      else if (options.ifAbsent) reply = await this.client.set(k, value, "NX");
      else reply = await this.client.set(k, value);
      return reply === "OK";
    });
  }

  async delete(key: string): Promise<boolean> {
    return this.run("delete", async () => (await this.client.del(this.kv(key))) > 0);
  }

  async take(key: string): Promise<string | undefined> {
    return this.run("take", async () => (await this.client.pclTake(this.kv(key))) ?? undefined);
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    return this.run("compareAndDelete", async () => (await this.client.pclCompareAndDelete(this.kv(key), expected)) > 0);
  }

  async list(prefix: string): Promise<StoreEntry[]> {
    return this.run("list", async () => {
      const match = this.kv(prefix).replace(/[*?[\]\\]/g, "\\$&") + "*";
      const keys = new Set<string>();
      let cursor = "0";
      do {
        const [next, batch] = await this.client.scan(cursor, "MATCH", match, "COUNT", 500);
        for (const k of batch) keys.add(k);
        cursor = next;
      } while (cursor !== "0");
      const sorted = [...keys].sort();
      const out: StoreEntry[] = [];
      const strip = this.kv("").length;
      for (let i = 0; i < sorted.length; i += 500) {
        const chunk = sorted.slice(i, i + 500);
        const values = await this.client.mget(...chunk);
        chunk.forEach((k, j) => {
          const v = values[j];
          if (v !== null && v !== undefined) out.push({ key: k.slice(strip), value: v });
        });
      }
      return out;
    });
  }

  async hit(rules: readonly RateLimitRule[]): Promise<RateLimitResult> {
    checkRules(rules);
    return this.run("hit", async () => {
      const args: (string | number)[] = [rules.length, ...rules.map((r) => `${this.prefix}gcra:${r.key}`)];
      for (const r of rules) args.push(r.limit, r.windowMs);
      const [allowed, remaining, retry, denied] = await this.client.pclHit(...args);
      if (allowed === 1) return { allowed: true, remaining, retryAfterMs: 0 };
      return { allowed: false, remaining: 0, retryAfterMs: retry, deniedRule: denied - 1 };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await withDeadline(this.client.quit(), 500, "quit");
    } catch {
      this.client.disconnect();
    }
  }

  private async run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError(`redis store: ${op} after close`);
    if (this.client.status !== "ready") {
      throw new StoreUnavailableError(`redis store: ${op} failed: ${this.location} is unreachable (${this.client.status}${this.lastError ? `: ${this.lastError}` : ""})`);
    }
    try {
      return await fn();
    } catch (e) {
      if (e instanceof TypeError) throw e;
      throw storeFailure("redis", op, e);
    }
  }
}

/** The URL without password, for messages and `location`. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    u.search = "";
    return u.toString();
  } catch {
    return "redis://(unparseable url)";
  }
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then(
      (v) => { clearTimeout(t); resolve(v); },
      (e: unknown) => { clearTimeout(t); reject(e); },
    );
  });
}
