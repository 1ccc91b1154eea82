import type { Store } from "../store/store.js";
import { formatApiKey, generateKeyId, generateSecret, hashSecret } from "./api-key-format.js";
import { API_KEY_STORE_PREFIX, infoOf, parseRecord, recordKey, type ApiKeyInfo, type ApiKeyRecord } from "./api-key-record.js";
import { normalizeScopes } from "./scopes.js";

export interface CreateApiKeyOptions {
  name: string;
  /** Grants (docs/api-keys.md); validated. */
  scopes: readonly string[];
  /** Calls per minute for this key across all servers; absent = only the server and tool limits. */
  ratePerMinute?: number;
  expiresAt?: Date;
  /** Clock (tests). */
  now?: number;
}

/**
 * Creates a key and returns its plaintext ONCE; only the hash is stored. Throws RangeError for a bad
 * name, scope, rate or expiry (before anything is written), StoreUnavailableError if the store is down.
 */
export async function createApiKey(store: Store, opts: CreateApiKeyOptions): Promise<{ key: string; info: ApiKeyInfo }> {
  const now = opts.now ?? Date.now();
  const name = opts.name.trim();
  if (name === "" || name.length > 200 || /\p{Cc}/u.test(name)) throw new RangeError("a key needs a --name of 1 to 200 printable characters");
  const scopes = normalizeScopes(opts.scopes);
  if (opts.ratePerMinute !== undefined && (!Number.isSafeInteger(opts.ratePerMinute) || opts.ratePerMinute < 1)) {
    throw new RangeError(`rate must be a positive whole number of calls per minute, got ${opts.ratePerMinute}`);
  }
  if (opts.expiresAt !== undefined && !(opts.expiresAt.getTime() > now)) throw new RangeError("expiry must be in the future");
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = generateKeyId();
    const secret = generateSecret();
    const record: ApiKeyRecord = {
      v: 1,
      id,
      name,
      scopes,
      ...(opts.ratePerMinute !== undefined && { ratePerMinute: opts.ratePerMinute }),
      createdAt: new Date(now).toISOString(),
      ...(opts.expiresAt !== undefined && { expiresAt: opts.expiresAt.toISOString() }),
      hash: `sha256:${hashSecret(id, secret).toString("hex")}`,
    };
    if (await store.set(recordKey(id), JSON.stringify(record), { ifAbsent: true })) {
      return { key: formatApiKey(id, secret), info: infoOf(record, now) };
    }
  }
  throw new Error("could not allocate a fresh key id after 5 attempts");
}

/** Every key, without secrets or hashes, oldest first. */
export async function listApiKeys(store: Store, now: number = Date.now()): Promise<ApiKeyInfo[]> {
  const out: ApiKeyInfo[] = [];
  for (const { value } of await store.list(API_KEY_STORE_PREFIX)) {
    const r = parseRecord(value);
    if (r) out.push(infoOf(r, now));
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/**
 * Revokes a key; effective for the next request (verification reads the store every time). Returns
 * the key's info, or undefined when no key has that id. Revoking twice keeps the first time.
 */
export async function revokeApiKey(store: Store, id: string, now: number = Date.now()): Promise<ApiKeyInfo | undefined> {
  const r = parseRecord(await store.get(recordKey(id)));
  if (!r) return undefined;
  if (r.revokedAt === undefined) {
    r.revokedAt = new Date(now).toISOString();
    await store.set(recordKey(id), JSON.stringify(r));
  }
  return infoOf(r, now);
}
