import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AuditLog } from "../../audit/audit-record.js";
import type { ServerPolicy } from "../../config/server-policy.js";
import type { Pipeline } from "../../pipeline/pipeline.js";
import type { Principal } from "../../pipeline/session-state.js";
import { classifyInboundRequest } from "@modelcontextprotocol/server";
import { modernEnvelope, PROTOCOL_VERSION_META } from "../../protocol/era.js";
import type { JsonRpcRequest } from "../../protocol/json-rpc.js";
import { HttpSession } from "./http-session.js";
import { createAggregateEndpoint } from "./aggregate/aggregate-endpoint.js";
import { channelKey, ModernChannel, MODERN_VERSIONS } from "./modern-channel.js";
import { upstreamProblem } from "../open-upstream.js";
import { UpstreamSupervisors } from "../upstream-supervisor.js";
import type { BackoffOptions } from "../backoff-policy.js";
import { refuseBusy, refuseRestarting } from "./restarting-reply.js";
import { replyError } from "./http-reply.js";
import { accepts, answerSessionMethod, header } from "./session-methods.js";
import { checkOrigin } from "./origin-policy.js";
import { readPostedMessage } from "./read-message.js";

export type AuthResult = { ok: true; principal?: Principal } | { ok: false; status: 401 | 403; message: string; challenge?: string };

/**
 * An extra HTTP endpoint mounted on the gateway (metrics, OAuth metadata, the approval page, ...).
 * Runs after the Origin/Host check and before MCP routing; returns true when it answered.
 */
export type GatewayHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export interface GatewayRoute {
  server: ServerPolicy;
  pipeline: Pipeline;
}

export interface GatewayOptions {
  routes: Map<string, GatewayRoute>;
  audit: AuditLog;
  host: string;
  port: number;
  allowedOrigins?: readonly string[];
  /** Authenticates a request for a server; absent = no authentication (loopback development). */
  authenticate?: (req: IncomingMessage, server: string) => Promise<AuthResult>;
  maxSessions?: number;
  idleTimeoutMs?: number;
  /** Probes the shared store (keys, rate limits, approvals) for `/ready`; rejects when it is unusable. */
  checkStore?: () => Promise<unknown>;
  /** Extra endpoints, tried in order before the MCP routes. */
  handlers?: readonly GatewayHandler[];
  log?: (line: string) => void;
  /** Crash backoff of the stdio upstreams (defaults: 0.5 s doubling to 30 s); injectable for tests. */
  backoff?: BackoffOptions;
}

export interface Gateway {
  url: string;
  close(): Promise<void>;
  sessionCount(): number;
  /** Live stateless-era channels (one upstream each): `/mcp/<server>`'s and `/mcp`'s. */
  channelCount(): number;
  /** Crash/backoff state of every server's stdio upstreams, all endpoints and eras (metrics read it). */
  upstreams: UpstreamSupervisors;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * `portcullis serve`: MCP Streamable HTTP in front of stdio servers, one endpoint per server at
 * `/mcp/<server>`. Each legacy-era session gets its own upstream process and relay, so the same
 * pipeline and audit apply as in `wrap`. `/health` is unauthenticated and content-free.
 */
export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`portcullis: ${l}\n`));
  const sessions = new Map<string, HttpSession>();
  /**
   * Crash/backoff state per server, shared by every stdio upstream the gateway starts for it: legacy
   * sessions, stateless channels, and `/mcp`'s links and channels (docs/reliability.md).
   */
  const supervisors = new UpstreamSupervisors({ audit: opts.audit, log, backoff: opts.backoff });
  // Several servers: `/mcp` aggregates them under `<server>__<tool>` names (docs/aggregate.md).
  const aggregate = opts.routes.size > 1 ? createAggregateEndpoint({ routes: opts.routes, audit: opts.audit, authenticate: opts.authenticate, maxSessions: opts.maxSessions, idleTimeoutMs: opts.idleTimeoutMs, log, supervisors }) : undefined;
  const maxSessions = opts.maxSessions ?? 100;
  const originPolicy = { allowedOrigins: opts.allowedOrigins ?? [], loopbackOnly: LOOPBACK.has(opts.host) };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`internal error: ${(e as Error).stack ?? String(e)}`);
      replyError(res, 500, "LAYER_FAILED", "Portcullis failed to handle the request; it was not forwarded.");
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://gateway");
    if (url.pathname === "/health") {
      res.writeHead(204).end();
      return;
    }
    const bad = checkOrigin(req, originPolicy);
    if (bad) {
      opts.audit.record({ event: "origin_rejected", severity: "medium", decision: "deny", layer: "gateway", code: "ORIGIN_REJECTED", reason: bad });
      replyError(res, 403, "ORIGIN_REJECTED", `Portcullis refused the request: ${bad}.`);
      return;
    }
    for (const h of opts.handlers ?? []) if (await h(req, res, url)) return;
    if (url.pathname === "/ready") {
      // Not ready when decisions cannot be recorded (audit) or checked (store: keys, limits, approvals).
      const store = await probeStore(opts.checkStore);
      const ready = opts.audit.healthy && (store === "ok" || store === "not configured");
      // `upstreams`: supervised stdio upstreams per server, every endpoint and era (a server in backoff does not make the gateway unready).
      res.writeHead(ready ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify({ ready, audit: opts.audit.healthy ? "ok" : "unwritable", store, servers: [...opts.routes.keys()], sessions: sessions.size, channels: channels.size + (aggregate?.channelCount() ?? 0), upstreams: supervisors.summary() }));
      return;
    }
    const m = /^\/mcp\/([A-Za-z0-9_-]+)\/?$/.exec(url.pathname);
    // With one server, `/mcp` is that server too: clients such as the MCP Inspector assume `/mcp`.
    const only = opts.routes.size === 1 && /^\/mcp\/?$/.test(url.pathname) ? [...opts.routes.values()][0] : undefined;
    if (aggregate && /^\/mcp\/?$/.test(url.pathname)) return aggregate.handle(req, res);
    const route = only ?? (m ? opts.routes.get(m[1]!) : undefined);
    if (!route) {
      replyError(res, 404, "SESSION_NOT_FOUND", `No MCP endpoint at ${url.pathname}; endpoints: ${[...(aggregate ? ["/mcp"] : []), ...[...opts.routes.keys()].map((s) => `/mcp/${s}`)].join(", ")}.`);
      return;
    }
    let auth: AuthResult = { ok: true };
    if (opts.authenticate) {
      try {
        auth = await opts.authenticate(req, route.server.name);
      } catch (e) {
        // Fail closed: credentials we cannot check are credentials we do not accept.
        opts.audit.record({ event: "store_unavailable", severity: "high", server: route.server.name, decision: "deny", layer: "identity", code: "STORE_UNAVAILABLE", reason: (e as Error).message });
        replyError(res, 503, "STORE_UNAVAILABLE", `Portcullis cannot verify credentials right now (${(e as Error).message}); retry shortly.`, { "retry-after": "5" });
        return;
      }
    }
    if (!auth.ok) {
      opts.audit.record({ event: "auth_failure", severity: auth.status === 401 ? "medium" : "high", server: route.server.name, decision: "deny", layer: "identity", code: auth.status === 401 ? "UNAUTHORIZED" : "FORBIDDEN", reason: auth.message });
      replyError(res, auth.status, auth.status === 401 ? "UNAUTHORIZED" : "FORBIDDEN", auth.message, auth.challenge ? { "www-authenticate": auth.challenge } : {});
      return;
    }
    const sessionId = header(req, "mcp-session-id");
    const session = sessionId ? sessions.get(sessionId) : undefined;
    if (sessionId && (!session || session.principal?.id !== auth.principal?.id || !sessionBelongs(session, route))) {
      replyError(res, 404, "SESSION_NOT_FOUND", "Portcullis does not know this Mcp-Session-Id (expired, closed, or another caller's); start a new session with initialize.");
      return;
    }
    return answerSessionMethod(req, res, session, () => session && sessions.delete(session.id), () => post(req, res, route, session, auth.principal));
  }

  async function post(req: IncomingMessage, res: ServerResponse, route: GatewayRoute, session: HttpSession | undefined, principal: Principal | undefined): Promise<void> {
    const posted = await readPostedMessage(req, res, route.server.maxRequestBytes, opts.audit, { server: route.server.name });
    if (!posted) return;
    const { msg: m, raw } = posted;
    const id = typeof m.id === "string" || typeof m.id === "number" ? m.id : null;
    // A request inside a known 2025-era session is legacy traffic by definition: skip the ladder.
    if (session) {
      session.post(m, raw, res, accepts(req, "text/event-stream"));
      return;
    }
    // The SDK's dual-era ladder: era, envelope, and header-vs-body validation (-32020).
    const route2 = classifyInboundRequest({
      httpMethod: "POST", body: m,
      protocolVersionHeader: header(req, "mcp-protocol-version"), mcpMethodHeader: header(req, "mcp-method"), mcpNameHeader: header(req, "mcp-name"),
    });
    if (route2.kind === "reject") {
      opts.audit.record({ event: "malformed_message", severity: "low", server: route.server.name, decision: "deny", layer: "gateway", rule: route2.cell, reason: route2.message });
      res.writeHead(route2.httpStatus, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, error: { code: route2.code, message: route2.message, data: route2.data } }));
      return;
    }
    if (route2.kind === "modern") return modern(route, m, raw, res, principal, route2.messageKind === "notification");
    if (!session) {
      if (m.method !== "initialize") {
        replyError(res, 400, "INVALID_REQUEST", "No Mcp-Session-Id: start a session with an initialize request (or send 2026-07-28 requests with their _meta envelope).", {}, id);
        return;
      }
      if (sessions.size >= maxSessions) {
        refuseBusy(res, opts.audit, { what: "sessions", open: sessions.size, server: route.server.name, caller: principal ? `${principal.kind}:${principal.id}` : undefined, method: "initialize", id });
        return;
      }
      const problem = upstreamProblem(route.server);
      if (problem) {
        replyError(res, 502, "UPSTREAM_UNAVAILABLE", `Portcullis cannot open server "${route.server.name}": ${problem}.`);
        return;
      }
      const caller = principal ? `${principal.kind}:${principal.id}` : undefined;
      // A new session starts a new upstream: not while the server is in crash backoff.
      const supervisor = supervisors.for(route.server);
      const admitted = supervisor?.admit();
      if (admitted && !admitted.ok) return refuseRestarting(res, opts.audit, admitted, { server: route.server.name, caller, method: "initialize", id });
      const s: HttpSession = new HttpSession({
        server: route.server, pipeline: route.pipeline, audit: opts.audit, principal, log, caller, supervisor,
        onClosed: (closed) => sessions.delete(closed.id),
      });
      routeOf.set(s, route);
      sessions.set(s.id, s);
      session = s;
    }
    session.post(m, raw, res, accepts(req, "text/event-stream"));
  }

  const channels = new Map<string, ModernChannel>();

  /** A stateless-era request: validated version, then the caller's channel to this server. */
  async function modern(route: GatewayRoute, m: Record<string, unknown>, raw: string, res: ServerResponse, principal: Principal | undefined, notification: boolean): Promise<void> {
    const id = typeof m.id === "string" || typeof m.id === "number" ? m.id : null;
    const requested = modernEnvelope(m as unknown as JsonRpcRequest)?.[PROTOCOL_VERSION_META];
    if (typeof requested !== "string" || !(MODERN_VERSIONS as readonly string[]).includes(requested)) {
      res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32022, message: `Unsupported protocol version: ${String(requested)}`, data: { supported: [...MODERN_VERSIONS, "2025-11-25"], requested } } }));
      return;
    }
    const problem = upstreamProblem(route.server);
    if (problem) {
      replyError(res, 502, "UPSTREAM_UNAVAILABLE", `Portcullis cannot open server "${route.server.name}": ${problem}.`, {}, id);
      return;
    }
    // Per server and credentials (principal and scopes): the channel judges with the principal it was opened with.
    const key = channelKey(route.server.name, principal);
    let ch = channels.get(key);
    if (!ch) {
      const caller = principal ? `${principal.kind}:${principal.id}` : undefined;
      // Each channel is an upstream process: bounded like sessions (idle ones are reaped by the sweeper).
      if (channels.size >= maxSessions) return refuseBusy(res, opts.audit, { what: "stateless channels", open: channels.size, server: route.server.name, caller, method: typeof m.method === "string" ? m.method : undefined, id });
      // Stdio upstreams are supervised per server: after a crash, no new process before the backoff delay.
      const supervisor = supervisors.for(route.server);
      const admitted = supervisor?.admit();
      if (admitted && !admitted.ok) return refuseRestarting(res, opts.audit, admitted, { server: route.server.name, caller, method: typeof m.method === "string" ? m.method : undefined, id });
      const created: ModernChannel = new ModernChannel({
        server: route.server, pipeline: route.pipeline, audit: opts.audit, principal, log, caller, supervisor,
        onClosed: () => channels.get(key) === created && channels.delete(key),
      });
      channels.set(key, created);
      ch = created;
    }
    ch.touch();
    if (notification) {
      ch.notify(raw);
      res.writeHead(202).end();
      return;
    }
    try {
      if (m.method === "server/discover") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, result: await ch.discover() }));
        return;
      }
      await ch.ready;
      if (m.method === "subscriptions/listen") {
        await ch.listen(m, res);
        return;
      }
    } catch (e) {
      replyError(res, 502, "UPSTREAM_UNAVAILABLE", `Portcullis could not reach server "${route.server.name}": ${(e as Error).message}.`, {}, id);
      return;
    }
    ch.request(m, res, accepts(res.req, "text/event-stream"));
  }

  const routeOf = new WeakMap<HttpSession, GatewayRoute>();
  const sessionBelongs = (s: HttpSession, r: GatewayRoute) => routeOf.get(s) === r;

  const idleMs = opts.idleTimeoutMs ?? 30 * 60_000;
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const s of sessions.values()) if (now - s.lastActive > idleMs) {
      s.close();
      sessions.delete(s.id);
    }
    // Stateless channels with nothing in flight, no listen stream and no pending approval: their
    // upstream stops (an expected stop for the supervisor, not a crash); the next request opens a new one.
    for (const [k, c] of channels) if (c.reapable(now, idleMs)) {
      channels.delete(k);
      c.close();
    }
    supervisors.prune(); // bounded: servers idle and healthy for an hour are forgotten
  }, Math.min(idleMs, 60_000));
  sweeper.unref();

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    sessionCount: () => sessions.size,
    channelCount: () => channels.size + (aggregate?.channelCount() ?? 0),
    upstreams: supervisors,
    async close() {
      clearInterval(sweeper);
      aggregate?.close();
      for (const s of sessions.values()) s.close();
      sessions.clear();
      for (const c of channels.values()) c.close();
      channels.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      opts.audit.flush();
    },
  };
}

/** "ok", "not configured", or why the store failed its probe (within 2 s). */
async function probeStore(check: (() => Promise<unknown>) | undefined): Promise<string> {
  if (!check) return "not configured";
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("no answer within 2 s")), 2000)))]);
    return "ok";
  } catch (e) {
    return `unavailable: ${(e as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

