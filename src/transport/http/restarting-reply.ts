import type { ServerResponse } from "node:http";
import type { AuditLog } from "../../audit/audit-record.js";
import type { Admission } from "../upstream-supervisor.js";
import { replyError } from "./http-reply.js";

/**
 * A start refused because the server's upstreams are in crash backoff: HTTP 503, `Retry-After` (whole
 * seconds, at least 1) and the JSON-RPC error UPSTREAM_RESTARTING, audited `upstream_restarting`.
 * Used by every endpoint that would start a supervised upstream (docs/reliability.md).
 */
export function refuseRestarting(res: ServerResponse, audit: AuditLog, refused: Extract<Admission, { ok: false }>, ctx: { server: string; caller?: string; method?: string; id?: string | number | null; endpoint?: string }): void {
  const secs = Math.max(1, Math.ceil(refused.retryAfterMs / 1000));
  const how = refused.lastExit ?? "crashed";
  audit.record({ event: "upstream_restarting", severity: "low", server: ctx.server, caller: ctx.caller, method: ctx.method, decision: "deny", layer: "supervisor", code: "UPSTREAM_RESTARTING", reason: `${ctx.endpoint ? `${ctx.endpoint}: ` : ""}upstream ${how}; restart allowed in ${refused.retryAfterMs} ms` });
  replyError(res, 503, "UPSTREAM_RESTARTING", `Portcullis is restarting server "${ctx.server}" (it ${how}); retry in ${secs} s.`, { "retry-after": String(secs) }, ctx.id ?? null);
}

/** Seconds a client is told to wait when the gateway is at its session or channel limit. */
export const BUSY_RETRY_AFTER_S = 5;

/**
 * A new session or stateless channel refused because the limit (`max_sessions`) is reached: HTTP 503,
 * `Retry-After` and the JSON-RPC error GATEWAY_BUSY, audited `gateway_busy`.
 */
export function refuseBusy(res: ServerResponse, audit: AuditLog, ctx: { what: string; open: number; server?: string; caller?: string; method?: string; id?: string | number | null; endpoint?: string }): void {
  const reason = `${ctx.endpoint ? `${ctx.endpoint}: ` : ""}${ctx.open} open ${ctx.what} (the limit, max_sessions); a new one was refused`;
  audit.record({ event: "gateway_busy", severity: "medium", server: ctx.server, caller: ctx.caller, method: ctx.method, decision: "deny", layer: "gateway", code: "GATEWAY_BUSY", reason });
  replyError(res, 503, "GATEWAY_BUSY", `Portcullis has ${ctx.open} open ${ctx.what} (the limit); retry later.`, { "retry-after": String(BUSY_RETRY_AFTER_S) }, ctx.id ?? null);
}
