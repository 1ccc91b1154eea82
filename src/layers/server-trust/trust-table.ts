import type { Operation, TrustLevel } from "../../config/schema.js";

export interface TrustRow {
  /** Operations that run without approval. */
  free: readonly Operation[];
  /** What happens to side-effecting tools outside `free`. */
  sideEffects: "deny" | "approve";
  /** Every call needs approval, read-only ones too. */
  approveAll: boolean;
  /** Whether `readOnlyHint` annotations count as a read-only grant (never for untrusted servers). */
  annotationsGrant: boolean;
}

/**
 * SPEC's trust table. untrusted: read-only tools only, every call approved; low: read-only tools run,
 * side effects need approval; medium: read, search and query run; high: adds write; verified: all.
 * Operations outside a level's free set need approval (explicit per-tool `approval` wins).
 */
export const TRUST_TABLE: Readonly<Record<TrustLevel, TrustRow>> = {
  untrusted: { free: [], sideEffects: "deny", approveAll: true, annotationsGrant: false },
  low: { free: [], sideEffects: "approve", approveAll: false, annotationsGrant: true },
  medium: { free: ["read", "search", "query"], sideEffects: "approve", approveAll: false, annotationsGrant: true },
  high: { free: ["read", "search", "query", "write"], sideEffects: "approve", approveAll: false, annotationsGrant: true },
  verified: { free: ["read", "search", "query", "write", "delete", "execute"], sideEffects: "approve", approveAll: false, annotationsGrant: true },
};
