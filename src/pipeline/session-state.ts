import { randomUUID } from "node:crypto";
import { ToolCatalog } from "./tool-catalog.js";

/** An authenticated caller. Scopes map to servers, tools and operations (docs/api-keys.md). */
export interface Principal {
  kind: "api_key" | "oauth";
  /** Key id or token subject; never the secret itself. */
  id: string;
  scopes: readonly string[];
  /** Per-principal rate limit, when the key or token sets one. */
  ratePerMinute?: number;
}

/** "legacy" = 2025-11-25 and earlier (initialize + sessions); "modern" = 2026-07-28 stateless. */
export type ProtocolEra = "legacy" | "modern" | "unknown";

/**
 * Per-session state shared by all layers. A session is the stdio connection, the legacy HTTP
 * session, or in the stateless era the authenticated caller. Layers read it in decisions and
 * change it only in `onForwarded` / `onObserved` hooks, which keeps decisions pure.
 */
export class SessionState {
  readonly id: string;
  era: ProtocolEra = "unknown";
  protocolVersion?: string;
  /** `_meta` a modern client sends with each request; reused for requests Portcullis makes itself. */
  modernMeta?: Record<string, unknown>;
  /** Hashed caller identity for audit and rate limits ("local:<user>" over stdio). */
  caller?: string;
  /** Who is calling, once the transport authenticated them (API key or OAuth); undefined over stdio. */
  principal?: Principal;
  readonly tools = new ToolCatalog();
  readonly counters = new Map<string, number>();
  /** Facts earlier messages established, e.g. "injection_seen" (used to tighten approval). */
  readonly flags = new Set<string>();

  // Unguessable and collision-free: approval grants "for this session" are keyed by it, across processes.
  constructor(id: string = `s_${randomUUID().replaceAll("-", "")}`) {
    this.id = id;
  }

  count(key: string): number {
    return this.counters.get(key) ?? 0;
  }

  increment(key: string): void {
    this.counters.set(key, this.count(key) + 1);
  }
}
