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
