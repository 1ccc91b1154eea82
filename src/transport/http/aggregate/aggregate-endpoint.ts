import type { IncomingMessage, ServerResponse } from "node:http";
import { classifyInboundRequest } from "@modelcontextprotocol/server";
import type { AuditLog } from "../../../audit/audit-record.js";
import type { Principal } from "../../../pipeline/session-state.js";
import { upstreamProblem } from "../../open-upstream.js";
import { UpstreamSupervisors, type Admission } from "../../upstream-supervisor.js";
import { refuseBusy, refuseRestarting } from "../restarting-reply.js";
import type { AuthResult, GatewayRoute } from "../gateway.js";
import { replyError } from "../http-reply.js";
import { accepts, answerSessionMethod, header } from "../session-methods.js";
import { readPostedMessage } from "../read-message.js";
import { AggregateSession } from "./aggregate-session.js";
import { ModernAggregate } from "./modern-aggregate.js";
import { serverNameProblem } from "./namespaced-names.js";

export interface AggregateEndpoint {
  /** A request to `/mcp` (after the gateway's Origin/Host check). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  sessionCount(): number;
  /** Live 2026-07-28 channels (one upstream each). */
  channelCount(): number;
  close(): void;
}

export interface AggregateOptions {
  routes: ReadonlyMap<string, GatewayRoute>;
  audit: AuditLog;
  authenticate?: (req: IncomingMessage, server: string) => Promise<AuthResult>;
  maxSessions?: number;
  idleTimeoutMs?: number;
  log: (line: string) => void;
  /** The gateway's per-server crash/backoff state (shared with `/mcp/<server>`); a private one when absent. */
  supervisors?: UpstreamSupervisors;
}

const PRM = "/.well-known/oauth-protected-resource";

/**
 * The aggregated `/mcp` endpoint of `portcullis serve` (several servers; docs/aggregate.md). The
 * caller is authenticated against every server and sees the ones their credentials reach (401/403
 * only when none). 2025-11-25 clients get an AggregateSession (Mcp-Session-Id, GET stream, DELETE);
 * 2026-07-28 requests go through ModernAggregate one by one.
 */
export function createAggregateEndpoint(opts: AggregateOptions): AggregateEndpoint {
  const routes: GatewayRoute[] = [];
  for (const r of opts.routes.values()) {
    const bad = serverNameProblem(r.server.name) ?? upstreamProblem(r.server);
    if (bad) opts.log(`/mcp: server "${r.server.name}" is not part of the aggregated endpoint: ${bad}`);
    else routes.push(r);
  }
  const byName = new Map(routes.map((r) => [r.server.name, r]));
  const sessions = new Map<string, AggregateSession>();
  const maxSessions = opts.maxSessions ?? 100;
  const supervisors = opts.supervisors ?? new UpstreamSupervisors({ audit: opts.audit, log: opts.log });
  const modern = new ModernAggregate({ routes: byName, audit: opts.audit, log: opts.log, supervisors, maxCallers: opts.maxSessions });

  const idleMs = opts.idleTimeoutMs ?? 30 * 60_000;
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const s of sessions.values()) if (now - s.lastActive > idleMs) {
      sessions.delete(s.id);
      s.close();
    }
    modern.sweep(now, idleMs); // idle 2026-07-28 channels: expected stops
  }, Math.min(idleMs, 60_000));
  sweeper.unref();

  /** Which servers these credentials reach; answers the request itself (401/403/503) when none. */
  async function authorize(req: IncomingMessage, res: ServerResponse): Promise<{ principal?: Principal; allowed: Set<string> } | undefined> {
    if (routes.length === 0) {
      replyError(res, 404, "SESSION_NOT_FOUND", "No MCP endpoint at /mcp: no configured server can be aggregated (see the gateway log); use /mcp/<server>.");
      return undefined;
    }
    if (!opts.authenticate) return { allowed: new Set(byName.keys()) };
    let results: { server: string; r: AuthResult }[];
    try {
      results = await Promise.all(routes.map(async (route) => ({ server: route.server.name, r: await opts.authenticate!(req, route.server.name) })));
    } catch (e) {
      // Fail closed, as on /mcp/<server>: credentials we cannot check are credentials we do not accept.
      opts.audit.record({ event: "store_unavailable", severity: "high", decision: "deny", layer: "identity", code: "STORE_UNAVAILABLE", reason: (e as Error).message });
      replyError(res, 503, "STORE_UNAVAILABLE", `Portcullis cannot verify credentials right now (${(e as Error).message}); retry shortly.`, { "retry-after": "5" });
      return undefined;
    }
    const ok = results.filter((x) => x.r.ok);
    if (ok.length > 0) {
      const principal = ok.map((x) => (x.r as { principal?: Principal }).principal).find((p) => p !== undefined);
      return { principal, allowed: new Set(ok.map((x) => x.server)) };
    }
    // No server: 401 when the credentials are missing or bad everywhere (so OAuth clients start their
    // flow), else 403 (valid credentials that reach none of the servers).
    const failures = results as { server: string; r: Extract<AuthResult, { ok: false }> }[];
    const status = failures.every((f) => f.r.status === 401) ? 401 : 403;
    const pick = failures.find((f) => f.r.status === status)!;
    // The challenge points at the gateway-wide metadata: /mcp is not one server's resource.
    const challenge = pick.r.challenge?.split(`${PRM}/mcp/${pick.server}`).join(PRM);
    const message = status === 401 ? pick.r.message : `The credentials reach none of the servers behind /mcp (${routes.map((r) => r.server.name).join(", ")}).`;
    opts.audit.record({ event: "auth_failure", severity: status === 401 ? "medium" : "high", decision: "deny", layer: "identity", code: status === 401 ? "UNAUTHORIZED" : "FORBIDDEN", reason: `/mcp: ${message}` });
    replyError(res, status, status === 401 ? "UNAUTHORIZED" : "FORBIDDEN", message, challenge ? { "www-authenticate": challenge } : {});
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const access = await authorize(req, res);
    if (!access) return;
    const sessionId = header(req, "mcp-session-id");
    const session = sessionId ? sessions.get(sessionId) : undefined;
    if (sessionId && (!session || session.principal?.id !== access.principal?.id)) {
      replyError(res, 404, "SESSION_NOT_FOUND", "Portcullis does not know this Mcp-Session-Id (expired, closed, or another caller's); start a new session with initialize.");
      return;
    }
    return answerSessionMethod(req, res, session, () => session && sessions.delete(session.id), () => post(req, res, session, access.principal, access.allowed));
  }

  async function post(req: IncomingMessage, res: ServerResponse, session: AggregateSession | undefined, principal: Principal | undefined, allowed: Set<string>): Promise<void> {
    // The strictest limit of the servers the caller can reach: the body is judged before it is routed.
    const limit = Math.min(...[...allowed].map((s) => byName.get(s)!.server.maxRequestBytes));
    const posted = await readPostedMessage(req, res, limit, opts.audit, { reason: "/mcp: " });
    if (!posted) return;
    const { msg: m, raw } = posted;
    const id = typeof m.id === "string" || typeof m.id === "number" ? m.id : null;
    if (session) {
      session.post(m, res, accepts(req, "text/event-stream"), allowed);
      return;
    }
    const era = classifyInboundRequest({
      httpMethod: "POST", body: m,
      protocolVersionHeader: header(req, "mcp-protocol-version"), mcpMethodHeader: header(req, "mcp-method"), mcpNameHeader: header(req, "mcp-name"),
    });
    if (era.kind === "reject") {
      opts.audit.record({ event: "malformed_message", severity: "low", decision: "deny", layer: "gateway", rule: era.cell, reason: `/mcp: ${era.message}` });
      res.writeHead(era.httpStatus, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, error: { code: era.code, message: era.message, data: era.data } }));
      return;
    }
    if (era.kind === "modern") return modern.handle(m, raw, res, principal, routes.map((r) => r.server.name).filter((s) => allowed.has(s)), era.messageKind === "notification", accepts(req, "text/event-stream"));
    if (m.method !== "initialize") {
      replyError(res, 400, "INVALID_REQUEST", "No Mcp-Session-Id: start a session with an initialize request (or send 2026-07-28 requests with their _meta envelope).", {}, id);
      return;
    }
    const caller = principal ? `${principal.kind}:${principal.id}` : undefined;
    if (sessions.size >= maxSessions) {
      refuseBusy(res, opts.audit, { what: "/mcp sessions", open: sessions.size, caller, method: "initialize", id, endpoint: "/mcp" });
      return;
    }
    // Servers in crash backoff are left out of the new session (audited with its initialize); when
    // every reachable server is, the answer is the 503 + Retry-After that /mcp/<server> gives.
    const reachable = routes.filter((r) => allowed.has(r.server.name));
    const refused = new Map<string, Extract<Admission, { ok: false }>>();
    for (const r of reachable) {
      const a = supervisors.for(r.server)?.admit();
      if (a && !a.ok) refused.set(r.server.name, a);
    }
    if (refused.size > 0 && refused.size === reachable.length) {
      const [server, first] = [...refused].sort((a, b) => a[1].retryAfterMs - b[1].retryAfterMs)[0]!;
      return refuseRestarting(res, opts.audit, first, { server, caller, method: "initialize", id, endpoint: "/mcp" });
    }
    const s: AggregateSession = new AggregateSession({
      routes: reachable.filter((r) => !refused.has(r.server.name)), audit: opts.audit, principal, log: opts.log, caller, supervisors,
      omitted: [...refused].map(([server, a]) => ({ server, why: `it is restarting after it ${a.lastExit ?? "crashed"} (crash backoff; retry in ${Math.max(1, Math.ceil(a.retryAfterMs / 1000))} s)` })),
      onClosed: (closed) => sessions.get(closed.id) === closed && sessions.delete(closed.id),
    });
    sessions.set(s.id, s);
    s.post(m, res, accepts(req, "text/event-stream"), allowed);
  }

  return {
    handle,
    sessionCount: () => sessions.size,
    channelCount: () => modern.channelCount,
    close() {
      clearInterval(sweeper);
      for (const s of sessions.values()) s.close();
      sessions.clear();
      modern.close();
    },
  };
}

