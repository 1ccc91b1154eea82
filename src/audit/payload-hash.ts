import { createHash, createHmac } from "node:crypto";

/**
 * A short fingerprint of a payload value, so equal arguments can be correlated across lines without
 * being stored. Keyed (HMAC) when a key is given: an unkeyed hash of a low-entropy value (a user id,
 * a yes/no) can be reversed by guessing, a keyed one cannot without the key.
 */
export function payloadHash(value: unknown, key?: string | Buffer): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "undefined");
  const h = key !== undefined && key.length > 0 ? createHmac("sha256", key) : createHash("sha256");
  return h.update(text).digest("hex").slice(0, 16);
}

/** Callers are always hashed: the log can count and correlate them without naming anyone. */
export function hashCaller(identity: string, key?: string | Buffer): string {
  return payloadHash(`caller:${identity}`, key);
}
