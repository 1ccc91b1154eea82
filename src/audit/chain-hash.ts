import * as crypto from "node:crypto";
import { createHash, createHmac } from "node:crypto";

// crypto.hash (Node >= 20.12) skips the Hash object: about twice as fast for a line-sized input,
// and this runs once per audit line on the reply path.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: "hex") => string }).hash;

/** `prev` of the first line of a chain: there is no previous line. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * Lines signed with a key carry this prefix on their `hash`, so a verifier can tell a keyed line
 * from a plain one without guessing, and can refuse a plain line where a keyed one is required
 * (a writer without the key can only produce plain lines: that is how forgery shows up).
 */
export const HMAC_PREFIX = "hmac:";

/** Computes a line's `hash` from its body (the JSON text without the `hash` field). */
export type ChainHasher = (body: string) => string;

/** SHA-256 when no key is configured; HMAC-SHA256 with the key otherwise. */
export function chainHasher(key?: string | Buffer): ChainHasher {
  if (key === undefined || key.length === 0) return oneShot ? (body) => oneShot!("sha256", body, "hex") : (body) => createHash("sha256").update(body).digest("hex");
  return (body) => HMAC_PREFIX + createHmac("sha256", key).update(body).digest("hex");
}

export const isKeyedHash = (hash: string): boolean => hash.startsWith(HMAC_PREFIX);

const HASH_RE = /^(?:hmac:)?[0-9a-f]{64}$/;
export const isChainHash = (s: unknown): s is string => typeof s === "string" && HASH_RE.test(s);
