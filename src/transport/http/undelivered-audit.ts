import type { AuditEntry } from "../../audit/audit-record.js";

/** At most one `server_message_undelivered` line per method per session (or channel) per window. */
export const UNDELIVERED_WINDOW_MS = 60_000;
/** Distinct method keys tracked per session; further methods share one key (a server cannot grow the map). */
const MAX_KEYS = 64;
const OTHER = "(other methods)";

/**
 * Audits messages `serve` could not deliver (`server_message_undelivered`, severity info) with a rate
 * bound, so a chatty server cannot flood the audit log: the first message of a method in a window is
 * audited; the rest are counted, and the count is written with the next audited line of that method
 * (`details.suppressed`) or by `flush()` when the session or channel ends. Nothing goes unrecorded.
 */
export class UndeliveredAudit {
  private readonly windows = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly record: (e: AuditEntry) => void,
    private readonly windowMs = UNDELIVERED_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** `method`: the message's method, or "response" for a reply; `from`: who sent the message. */
  note(method: string, why: string, from: "upstream" | "client" = "upstream"): void {
    const key = this.windows.has(method) || this.windows.size < MAX_KEYS ? method : OTHER;
    const t = this.now();
    const w = this.windows.get(key);
    if (w && t - w.at < this.windowMs) {
      w.suppressed++;
      return;
    }
    const suppressed = w?.suppressed ?? 0;
    this.windows.set(key, { at: t, suppressed: 0 });
    const more = suppressed > 0 ? `; ${suppressed} more ${key} message(s) not delivered since the previous line (counted, not audited one by one)` : "";
    this.write(key === OTHER ? method.slice(0, 200) : key, `${from} message not delivered: ${why}${more}`, suppressed);
  }

  /** The session or channel ended: write the counts not audited yet. */
  flush(): void {
    for (const [key, w] of this.windows) {
      if (w.suppressed > 0) this.write(key, `${w.suppressed} ${key} message(s) not delivered since the previous line (counted, not audited one by one)`, w.suppressed);
    }
    this.windows.clear();
  }

  private write(method: string, reason: string, suppressed: number): void {
    this.record({ event: "server_message_undelivered", severity: "info", method, decision: "deny", layer: "gateway", reason, ...(suppressed > 0 ? { details: { suppressed } } : {}) });
  }
}
