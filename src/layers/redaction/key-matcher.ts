import { normaliseKey } from "../../audit/mask-arguments.js";

/** What kind of value sits under a key: only strings and numbers are ever redacted by key. */
export type ValueKind = "string" | "number" | "other";

/** Returns the redaction type (the configured pattern that matched) for a key, or undefined. */
export type KeyMatcher = (key: string, kind: ValueKind) => string | undefined;

/**
 * Key endings that name *about* a secret rather than the secret (`token_type`, `secret_name`,
 * `password_policy`, `api_key_id`, `token_url`). Same spirit as gitleaks' generic-api-key
 * allowlist (`key[_.-]?id`, `secret[_.-]?(length|name|size)`, `token[_.-]?(endpoint|url)`).
 */
const ABOUT_SUFFIXES = ["count", "type", "length", "len", "limit", "size", "usage", "ttl", "expiry", "expires", "expiresat", "expiresin", "name", "id", "ids", "url", "uri", "endpoint", "path", "file", "policy", "hint", "required", "enabled", "prefix", "format", "version", "level"];

/** Splits `apiKey`, `API-KEY`, `x_api_key` into lower-case words. */
function wordsOf(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** True when some run of consecutive words of the key spells `needle` (or its plural). */
function hasWordRun(words: string[], needle: string): boolean {
  for (let i = 0; i < words.length; i++) {
    let acc = "";
    for (let j = i; j < words.length && acc.length < needle.length + 1; j++) {
      acc += words[j];
      if (acc === needle || acc === `${needle}s`) return true;
    }
  }
  return false;
}

/**
 * Builds a key matcher from configured patterns, case- and separator-insensitive (`apiKey`,
 * `API-KEY` and `api_key` are one key). Patterns of 5+ normalised characters match anywhere in
 * the key (`db_password`, `accesstoken`); shorter ones (`ssn`, `cvv`) must be whole words, so
 * `className` is not an SSN. `keep` names keys never redacted (exact, normalised). The longest
 * matching pattern names the type (`password_hash` over `password`).
 */
export function createKeyMatcher(patterns: readonly string[], keep: readonly string[] = []): KeyMatcher {
  const needles = [...new Set(patterns)]
    .map((type) => ({ type, norm: normaliseKey(type) }))
    .filter((n) => n.norm.length > 0)
    .sort((a, b) => b.norm.length - a.norm.length);
  const keepSet = new Set(keep.map(normaliseKey));
  const cache = new Map<string, string | null>();

  const typeOf = (key: string): string | null => {
    const nk = normaliseKey(key);
    if (nk.length === 0 || keepSet.has(nk)) return null;
    let words: string[] | undefined;
    for (const n of needles) {
      const hit = n.norm.length >= 5 ? nk.includes(n.norm) : hasWordRun((words ??= wordsOf(key)), n.norm);
      if (!hit) continue;
      const about = ABOUT_SUFFIXES.some((s) => nk.endsWith(s) && !n.norm.endsWith(s));
      return about ? null : n.type;
    }
    return null;
  };

  return (key, kind) => {
    if (kind === "other") return undefined;
    let t = cache.get(key);
    if (t === undefined) {
      t = typeOf(key);
      if (cache.size < 10_000) cache.set(key, t);
    }
    if (t === null) return undefined;
    // `max_tokens: 4096`, `secrets: 3`: a number under a plural key is a count, not a secret.
    if (kind === "number" && normaliseKey(key).includes(`${normaliseKey(t)}s`)) return undefined;
    return t;
  };
}
