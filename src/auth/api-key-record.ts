/** What the store holds for one key (JSON under `apikey:<id>`). Never the secret. */
export interface ApiKeyRecord {
  v: 1;
  id: string;
  name: string;
  scopes: string[];
  ratePerMinute?: number;
  /** ISO 8601. */
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  /** "sha256:<hex>" of hashSecret(id, secret). */
  hash: string;
}

/** A key as `keys list` shows it: the record without its hash, plus its status now. */
export type ApiKeyInfo = Omit<ApiKeyRecord, "v" | "hash"> & { status: "active" | "revoked" | "expired" };

export const API_KEY_STORE_PREFIX = "apikey:";
export const recordKey = (id: string) => `${API_KEY_STORE_PREFIX}${id}`;

/** Parses a stored record; undefined when it is not a well-formed one (treated as no key: fail closed). */
export function parseRecord(json: string | undefined): ApiKeyRecord | undefined {
  if (json === undefined) return undefined;
  try {
    const r = JSON.parse(json) as Partial<ApiKeyRecord>;
    if (r?.v !== 1 || typeof r.id !== "string" || typeof r.name !== "string" || !Array.isArray(r.scopes) || typeof r.hash !== "string" || typeof r.createdAt !== "string") return undefined;
    if (!r.scopes.every((s) => typeof s === "string")) return undefined;
    return r as ApiKeyRecord;
  } catch {
    return undefined;
  }
}

export function statusOf(r: ApiKeyRecord, now: number): ApiKeyInfo["status"] {
  if (r.revokedAt !== undefined) return "revoked";
  if (r.expiresAt !== undefined && !(now < Date.parse(r.expiresAt))) return "expired";
  return "active";
}

export function infoOf(r: ApiKeyRecord, now: number): ApiKeyInfo {
  const { v: _v, hash: _hash, ...rest } = r;
  return { ...rest, status: statusOf(r, now) };
}
