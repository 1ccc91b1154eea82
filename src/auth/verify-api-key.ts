import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Principal } from "../pipeline/session-state.js";
import type { Store } from "../store/store.js";
import { hashSecret, parseApiKey } from "./api-key-format.js";
import { infoOf, parseRecord, recordKey, statusOf, type ApiKeyInfo } from "./api-key-record.js";

export type VerifyFailure = "missing" | "malformed" | "unknown" | "revoked" | "expired";

export type VerifyResult = { ok: true; principal: Principal; key: ApiKeyInfo } | { ok: false; reason: VerifyFailure };

// Compared against when the id is unknown, so a miss costs the same hash and comparison as a hit.
const DUMMY_HASH = randomBytes(32);

/**
 * Checks a presented key (the bearer token, without "Bearer "). Reads the store on every call (no
 * cache), so revocation and expiry take effect on the next request. Always hashes the presented
 * secret and compares it in constant time, against a dummy digest when the id is unknown. Whether a
 * key is revoked or expired is only revealed to someone who holds its secret. Rejects with
 * StoreUnavailableError when the store is down: refuse the request (503), never let it through.
 */
export async function verifyApiKey(store: Store, presented: string | undefined, now: number = Date.now()): Promise<VerifyResult> {
  if (presented === undefined || presented.trim() === "") return { ok: false, reason: "missing" };
  const parsed = parseApiKey(presented.trim());
  if (!parsed) return { ok: false, reason: "malformed" };
  const record = parseRecord(await store.get(recordKey(parsed.id)));
  const presentedHash = hashSecret(parsed.id, parsed.secret);
  const stored = record ? storedDigest(record.hash) : undefined;
  const match = timingSafeEqual(presentedHash, stored ?? DUMMY_HASH);
  if (!record || !stored || !match || record.id !== parsed.id) return { ok: false, reason: "unknown" };
  const status = statusOf(record, now);
  if (status !== "active") return { ok: false, reason: status };
  const principal: Principal = {
    kind: "api_key",
    id: record.id,
    scopes: Object.freeze([...record.scopes]),
    ...(record.ratePerMinute !== undefined && { ratePerMinute: record.ratePerMinute }),
  };
  return { ok: true, principal, key: infoOf(record, now) };
}

function storedDigest(hash: string): Buffer | undefined {
  const m = /^sha256:([0-9a-f]{64})$/.exec(hash);
  return m ? Buffer.from(m[1]!, "hex") : undefined;
}
