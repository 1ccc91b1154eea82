/**
 * The state store cannot be reached or failed (Redis down, disk full, database locked too long).
 * Callers on the data path fail closed: a rate limit that cannot be checked denies, a key that
 * cannot be looked up is refused.
 */
export class StoreUnavailableError extends Error {
  readonly code = "STORE_UNAVAILABLE" as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

/** Wraps any backend failure in a StoreUnavailableError naming the operation. */
export function storeFailure(kind: string, op: string, e: unknown): StoreUnavailableError {
  if (e instanceof StoreUnavailableError) return e;
  const why = e instanceof Error ? e.message : String(e);
  return new StoreUnavailableError(`${kind} store: ${op} failed: ${why}`, { cause: e });
}
