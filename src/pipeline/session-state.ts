import { randomUUID } from "node:crypto";
import { ToolCatalog } from "./tool-catalog.js";

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
  caller?: string;
  readonly tools = new ToolCatalog();
  readonly counters = new Map<string, number>();
  /** Facts earlier messages established, e.g. "injection_seen" (used to tighten approval). */
  readonly flags = new Set<string>();

  constructor(id: string = `s_${randomUUID().slice(0, 8)}`) {
    this.id = id;
  }

  count(key: string): number {
    return this.counters.get(key) ?? 0;
  }

  increment(key: string): void {
    this.counters.set(key, this.count(key) + 1);
  }
}
