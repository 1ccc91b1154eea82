import { createHash, randomBytes } from "node:crypto";

/**
 * API key format: `pcl_<id>_<secret>`.
 * - id: 12 lowercase hex characters (48 random bits). Not secret: it names the key in `keys list`,
 *   audit lines and rate-limit counters, and is how the stored record is found.
 * - secret: 43 random base62 characters (43 x log2(62) = 256 bits), drawn without modulo bias. No
 *   "_" or "-", so the whole key selects with a double click and splits unambiguously on "_".
 * Only `hashSecret(id, secret)` is stored. A fast hash is enough here: the secret is uniformly
 * random with 256 bits of entropy, so there is nothing to guess and a slow KDF (bcrypt, scrypt)
 * would only add latency to every request. Hashing id and secret together under a version label
 * binds a stored hash to its id (copying a hash onto another record does not make a key).
 */
export const API_KEY_PREFIX = "pcl_";
const FORMAT = /^pcl_([0-9a-f]{12})_([A-Za-z0-9]{43})$/;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const SECRET_LENGTH = 43;

export interface ParsedApiKey {
  id: string;
  secret: string;
}

export function generateKeyId(): string {
  return randomBytes(6).toString("hex");
}

export function generateSecret(): string {
  let out = "";
  while (out.length < SECRET_LENGTH) {
    for (const b of randomBytes(64)) {
      if (b < 248 && out.length < SECRET_LENGTH) out += BASE62[b % 62]; // 248 = 4 x 62: unbiased
    }
  }
  return out;
}

export function formatApiKey(id: string, secret: string): string {
  return `${API_KEY_PREFIX}${id}_${secret}`;
}

/** Splits a presented key; undefined when it is not in the `pcl_<id>_<secret>` format. */
export function parseApiKey(presented: string): ParsedApiKey | undefined {
  const m = FORMAT.exec(presented);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** The 32-byte digest stored for a key (hex, prefixed "sha256:" in the record). */
export function hashSecret(id: string, secret: string): Buffer {
  return createHash("sha256").update(`portcullis-api-key:v1\0${id}\0${secret}`).digest();
}
