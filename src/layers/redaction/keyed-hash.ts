import { createHmac } from "node:crypto";

/**
 * A short keyed tag for a redacted value: HMAC-SHA256 under a deployment secret, first 6 hex
 * digits. The same secret gets the same tag across audit lines, so incidents can be correlated,
 * while without the key the tag says nothing about the value (a plain hash of a short password
 * could be brute-forced; a keyed one cannot).
 */
export function keyedTag(key: string | Uint8Array, value: string): string {
  return createHmac("sha256", key).update(value, "utf8").digest("hex").slice(0, 6);
}

/** `[REDACTED:<type>]`, or `[REDACTED:<type>:<tag>]` when a hash key is configured. */
export function redactionMarker(type: string, value: string, hashKey?: string | Uint8Array): string {
  return hashKey === undefined || hashKey.length === 0 ? `[REDACTED:${type}]` : `[REDACTED:${type}:${keyedTag(hashKey, value)}]`;
}
