import path from "node:path";
import { ConfigError } from "../errors/portcullis-error.js";
import { MemoryStore } from "./memory-store.js";
import type { RedisStoreOptions } from "./redis-store.js";
import type { SqliteStoreOptions } from "./sqlite-store.js";
import type { Store } from "./store.js";

export interface OpenStoreOptions {
  sqlite?: SqliteStoreOptions;
  redis?: RedisStoreOptions;
}

/**
 * Opens the store a `store.url` names:
 * - `memory:`: process-local (the default for `wrap`, whose session is one process);
 * - `sqlite:PATH`: a SQLite file; a relative PATH is resolved against `baseDir` (the config's
 *   directory); `sqlite::memory:` is a private in-memory store (tests).
 * - `redis://[user:pass@]host[:port][/db][?prefix=NAME]` or `rediss://...` (TLS): a shared Redis;
 *   `prefix` sets the key prefix (default "portcullis:").
 * Anything else is a ConfigError that says what is accepted. A Redis that does not answer rejects
 * with StoreUnavailableError.
 */
export async function openStore(url: string, baseDir: string, options: OpenStoreOptions = {}): Promise<Store> {
  const trimmed = url.trim();
  if (/^memory:$/i.test(trimmed)) return new MemoryStore();
  if (/^sqlite:/i.test(trimmed)) {
    const file = trimmed.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (file === "") throw new ConfigError(`store.url "${url}": give a file after "sqlite:", e.g. sqlite:.portcullis/state.db`);
    // Backends load on demand: `wrap` on the memory store never pays for the native SQLite module or ioredis.
    const { SqliteStore } = await import("./sqlite-store.js");
    if (file === ":memory:") return new SqliteStore(":memory:", options.sqlite);
    return new SqliteStore(path.resolve(baseDir, file), options.sqlite);
  }
  if (/^rediss?:\/\//i.test(trimmed)) {
    let u: URL;
    try {
      u = new URL(trimmed);
    } catch {
      throw new ConfigError(`store.url "${redact(url)}" is not a valid URL; expected redis://host:6379 or rediss://host:6380`);
    }
    if (!u.hostname) throw new ConfigError(`store.url "${redact(url)}" has no host; expected redis://host:6379`);
    if (u.pathname !== "" && u.pathname !== "/" && !/^\/\d+$/.test(u.pathname)) {
      throw new ConfigError(`store.url "${redact(url)}": the path must be a database number (redis://host:6379/0), got "${u.pathname}"`);
    }
    let prefix = options.redis?.prefix;
    for (const [k, v] of u.searchParams) {
      if (k === "prefix") prefix = v;
      else throw new ConfigError(`store.url "${redact(url)}": unknown parameter "${k}"; the only one accepted is ?prefix=NAME`);
    }
    u.search = "";
    const { RedisStore } = await import("./redis-store.js");
    return RedisStore.open(u.toString(), { ...options.redis, prefix });
  }
  throw new ConfigError(`store.url "${redact(url)}" is not supported; use sqlite:PATH (default sqlite:.portcullis/state.db), redis://host:6379 or rediss://host:6380`);
}

/** The default store URL for a state directory: `sqlite:<stateDir>/state.db`. */
export function defaultStoreUrl(stateDir: string): string {
  return `sqlite:${path.join(stateDir, "state.db")}`;
}

/**
 * Opens the store a resolved config names (`store.url`, relative to the config's directory), else
 * `state.db` in the state directory (`--state-dir`, PORTCULLIS_STATE_DIR, `.portcullis/`).
 */
export function openConfiguredStore(cfg: { baseDir: string; stateDir: string; loaded: { raw: { store?: { url: string } } } }, options: OpenStoreOptions = {}): Promise<Store> {
  return openStore(cfg.loaded.raw.store?.url ?? defaultStoreUrl(cfg.stateDir), cfg.baseDir, options);
}

function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}
