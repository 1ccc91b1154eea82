import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { AuditEntry, AuditLog } from "../../../audit/audit-record.js";
import { ERROR_CODES, type ErrorCode } from "../../../errors/error-codes.js";
import type { Principal } from "../../../pipeline/session-state.js";
import { idKey, type JsonRpcId } from "../../../protocol/json-rpc.js";
import type { GatewayRoute } from "../gateway.js";
import { replyError } from "../http-reply.js";
import { AggregateRouter, isListMethod, type AggregateBackend } from "./aggregate-router.js";
import { ClientStreams } from "../client-streams.js";
import { mergeInitialize } from "./merge-results.js";
import { ServerLink } from "./server-link.js";
import type { UpstreamSupervisors } from "../../upstream-supervisor.js";
import { UndeliveredAudit } from "../undelivered-audit.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const isValidId = (id: unknown): id is JsonRpcId => typeof id === "string" || (typeof id === "number" && Number.isFinite(id));

/** Server notifications that mean "list me again", by the capability that announces them. */
const LIST_CHANGED = [["tools", "notifications/tools/list_changed"], ["prompts", "notifications/prompts/list_changed"], ["resources", "notifications/resources/list_changed"]] as const;

/**
 * One 2025-11-25 session on the aggregated `/mcp` endpoint: one ServerLink (upstream + relay) per
 * server the caller may reach, behind one client-facing session. It forwards the client's
 * `initialize` to every server and answers with the merged result, fans lists out and merges them
 * under `<server>__<name>` names, routes calls to the owning server with the original name and its
 * own request id (the reply goes back with the client's id, otherwise unchanged), and relays server
 * requests (sampling, elicitation, roots) to the client under ids of its own, routing the answers
 * back. A server that fails is left out (its calls get UPSTREAM_UNAVAILABLE from its relay); the
 * session ends when every server has gone. A server request the client cannot be reached for is
 * refused to that server at once (CLIENT_INPUT_UNAVAILABLE, audited `server_request_refused`); other
 * undeliverable messages, and client replies to ids nobody asked, are audited (rate-bounded).
 */
export class AggregateSession {
  readonly id = randomUUID();
  readonly principal?: Principal;
  lastActive = Date.now();
  private readonly links = new Map<string, ServerLink>();
  private readonly streams: ClientStreams;
  private readonly router: AggregateRouter;
  private readonly audit: AuditLog;
  private readonly log: (l: string) => void;
  private readonly caller?: string;
  private readonly onClosed: (s: AggregateSession) => void;
  /** Client request id -> the link and link-side id it was forwarded under (for cancellation). */
  private readonly inflight = new Map<string, { link: ServerLink; id: string }>();
  /** Id the client saw on a server's request -> that server and its own id. */
  private readonly serverAsks = new Map<string, { link: ServerLink; id: JsonRpcId }>();
  private askSeq = 0;
  /** Servers left out at the start (crash backoff): audited `server-omitted` with the initialize. */
  private readonly omitted: readonly { server: string; why: string }[];
  /** The session's id in audit lines and approval grants (all 122 random bits of its UUID). */
  private readonly auditSession: string;
  private readonly undelivered: UndeliveredAudit;
  private initialized = false;
  private ended = false;

  /**
   * `routes`: the servers to start links for (admitted by their supervisors); `omitted`: servers the
   * caller may reach that were left out because they are in crash backoff.
   */
  constructor(opts: { routes: readonly GatewayRoute[]; audit: AuditLog; principal?: Principal; caller?: string; log: (l: string) => void; onClosed: (s: AggregateSession) => void; supervisors?: UpstreamSupervisors; omitted?: readonly { server: string; why: string }[] }) {
    this.principal = opts.principal;
    this.audit = opts.audit;
    this.log = opts.log;
    this.caller = opts.caller;
    this.onClosed = opts.onClosed;
    this.omitted = opts.omitted ?? [];
    const auditSession = `g_${this.id.replaceAll("-", "")}`;
    this.auditSession = auditSession;
    this.undelivered = new UndeliveredAudit((e) => this.record(e));
    this.streams = new ClientStreams(this.id, (msg, why) => this.undeliverable(msg, why));
    this.router = new AggregateRouter({ audit: opts.audit, log: opts.log, session: auditSession, caller: opts.caller });
    for (const r of opts.routes) {
      this.links.set(r.server.name, new ServerLink({
        server: r.server, pipeline: r.pipeline, audit: opts.audit, sessionId: auditSession, principal: opts.principal, caller: opts.caller, log: opts.log,
        onMessage: (link, msg) => this.fromServer(link, msg),
        onClosed: (link) => this.linkClosed(link),
        supervisor: opts.supervisors?.for(r.server),
      }));
    }
  }

  /** A POSTed message; `allowed` = the servers the caller's credentials reach right now. */
  post(msg: Obj, res: ServerResponse, acceptsSse: boolean, allowed: ReadonlySet<string>): void {
    this.lastActive = Date.now();
    if (typeof msg.method === "string" && "id" in msg && !isValidId(msg.id)) {
      replyError(res, 400, "INVALID_REQUEST", "Portcullis refused a request whose id is not a string or a finite number.");
      return;
    }
    if (typeof msg.method === "string" && isValidId(msg.id)) {
      const id = msg.id;
      const params = obj(msg.params) ?? {};
      if (!this.streams.expect(id, res, acceptsSse, obj(params._meta)?.progressToken)) {
        replyError(res, 400, "INVALID_REQUEST", `Portcullis refused a request reusing id ${JSON.stringify(id)} while an earlier request with that id is still pending.`, {}, id);
        return;
      }
      this.request(id, msg.method, params, allowed).then((reply) => this.streams.send(reply), (e: unknown) => {
        this.log(`/mcp session ${this.id}: ${(e as Error).stack ?? String(e)}`);
        this.streams.send(this.router.deny(id, String(msg.method), params, "LAYER_FAILED", "aggregate-failed", `Portcullis failed to route ${String(msg.method)} on /mcp (${(e as Error).message}); it was not completed.`, false));
      });
      return;
    }
    if (typeof msg.method === "string") this.clientNotification(msg);
    else this.clientAnswer(msg);
    res.writeHead(202).end();
  }

  openStream(res: ServerResponse): void {
    this.streams.openStream(res);
  }

  /** DELETE, idle expiry or shutdown: stop every upstream; the session ends once they have. */
  close(): void {
    for (const l of this.links.values()) l.close();
    if ([...this.links.values()].every((l) => l.closed)) this.end();
  }

  private async request(id: JsonRpcId, method: string, params: Obj, allowed: ReadonlySet<string>): Promise<Obj> {
    if (method === "initialize") return this.initialize(id, params);
    if (method === "ping") return { jsonrpc: "2.0", id, result: {} };
    const backend = this.backend(allowed);
    if (isListMethod(method)) return { jsonrpc: "2.0", id, result: await this.router.list(method, params, backend) };
    if (method === "logging/setLevel") {
      await Promise.all(backend.servers.filter((s) => obj(this.links.get(s)?.capabilities?.logging)).map((s) => this.links.get(s)!.ask(method, params).reply));
      return { jsonrpc: "2.0", id, result: {} };
    }
    const t = await this.router.target(id, method, params, backend, false);
    if (t.kind === "reply") return t.reply;
    const link = this.links.get(t.server)!;
    const asked = link.ask(method, t.params);
    this.inflight.set(idKey(id), { link, id: asked.id });
    const reply = await asked.reply;
    this.inflight.delete(idKey(id));
    return { ...reply, id };
  }

  /** The client's initialize goes to every server; the ones that answer make up the session. */
  private async initialize(id: JsonRpcId, params: Obj): Promise<Obj> {
    if (this.initialized) return this.router.deny(id, "initialize", params, "INVALID_REQUEST", "already-initialized", "Portcullis refused initialize: this /mcp session is already initialized.", false);
    const answers = await Promise.all([...this.links.values()].map(async (link) => ({ link, reply: await link.ask("initialize", params).reply })));
    const ok: { server: string; result: Obj }[] = [];
    for (const o of this.omitted) this.leftOut(o.server, o.why, "UPSTREAM_RESTARTING");
    for (const { link, reply } of answers) {
      const result = obj(reply.result);
      if (result && !link.closed) {
        link.capabilities = obj(result.capabilities) ?? {};
        ok.push({ server: link.name, result });
        continue;
      }
      this.leftOut(link.name, String(obj(reply.error)?.message ?? (link.closed ? "it exited" : "no initialize result")), "UPSTREAM_UNAVAILABLE");
      this.links.delete(link.name);
      link.close();
    }
    if (ok.length === 0) {
      setImmediate(() => this.end());
      return this.router.deny(id, "initialize", params, "UPSTREAM_UNAVAILABLE", "no-server", "Portcullis could not open any server behind /mcp; see the gateway log.", false);
    }
    this.initialized = true;
    return { jsonrpc: "2.0", id, result: mergeInitialize(params.protocolVersion, ok) };
  }

  private leftOut(server: string, why: string, code: "UPSTREAM_UNAVAILABLE" | "UPSTREAM_RESTARTING"): void {
    this.log(`/mcp session ${this.id}: server "${server}" left out: ${why}`);
    this.audit.record({ event: "upstream_error", severity: code === "UPSTREAM_RESTARTING" ? "medium" : "high", session: this.auditSession, caller: this.caller, server, method: "initialize", decision: "deny", layer: "aggregate", rule: "server-omitted", code, reason: `server "${server}" was left out of the /mcp session: ${why}` });
  }

  private backend(allowed: ReadonlySet<string>): AggregateBackend {
    return {
      servers: [...this.links.keys()].filter((s) => allowed.has(s)),
      capabilities: (s) => this.links.get(s)?.capabilities,
      ask: (s, m, p) => this.links.get(s)!.ask(m, p).reply,
    };
  }

  private clientNotification(msg: Obj): void {
    if (msg.method === "notifications/cancelled") {
      const params = obj(msg.params) ?? {};
      const f = isValidId(params.requestId) ? this.inflight.get(idKey(params.requestId)) : undefined;
      if (f) f.link.send({ ...msg, params: { ...params, requestId: f.id } });
      return;
    }
    // initialized, roots/list_changed, ...: every server hears it.
    for (const l of this.links.values()) if (!l.closed) l.send(msg);
  }

  /** The client's answer to a server's request (sampling, elicitation, roots): back to that server, under its id. */
  private clientAnswer(msg: Obj): void {
    const key = isValidId(msg.id) ? idKey(msg.id) : undefined;
    const f = key ? this.serverAsks.get(key) : undefined;
    if (!f) {
      this.undelivered.note("response", `the client answered an id no server asked (or one already answered, withdrawn or refused): ${String(JSON.stringify(msg.id ?? null)).slice(0, 100)}`, "client");
      return;
    }
    this.serverAsks.delete(key!);
    f.link.send({ ...msg, id: f.id });
  }

  private fromServer(link: ServerLink, msg: Obj): void {
    if ("id" in msg && isValidId(msg.id)) {
      const id = `${link.name}-${++this.askSeq}`;
      this.serverAsks.set(idKey(id), { link, id: msg.id });
      this.streams.send({ ...msg, id });
      return;
    }
    const params = obj(msg.params) ?? {};
    if (msg.method === "notifications/cancelled" && isValidId(params.requestId)) {
      // The server withdrew one of its requests: name it as the client knows it.
      for (const [key, f] of this.serverAsks) {
        if (f.link !== link || idKey(f.id) !== idKey(params.requestId)) continue;
        this.serverAsks.delete(key);
        this.streams.send({ ...msg, params: { ...params, requestId: key.slice(2) } });
        return;
      }
      return;
    }
    if (msg.method === "notifications/message") {
      // Log lines say which server they come from.
      this.streams.send({ ...msg, params: { ...params, logger: typeof params.logger === "string" ? `${link.name}/${params.logger}` : link.name } });
      return;
    }
    this.streams.send(msg);
  }

  /** ClientStreams could not deliver `msg`: a server request is refused to its server; the rest is audited. */
  private undeliverable(msg: Obj, why: string): void {
    const method = typeof msg.method === "string" ? msg.method : undefined;
    const key = method !== undefined && isValidId(msg.id) ? idKey(msg.id) : undefined;
    const f = key !== undefined ? this.serverAsks.get(key) : undefined;
    if (method === undefined || !f) {
      this.undelivered.note(method ?? "response", why);
      return;
    }
    this.serverAsks.delete(key!);
    const code: ErrorCode = "CLIENT_INPUT_UNAVAILABLE";
    const reason = `Portcullis could not deliver ${method} to the client: ${why}.`;
    const auditId = this.record({ event: "server_request_refused", severity: "medium", server: f.link.name, method, decision: "deny", layer: "gateway", rule: "undeliverable-server-request", code, reason });
    if (!f.link.closed) f.link.send({ jsonrpc: "2.0", id: f.id, error: { code: ERROR_CODES[code].rpc, message: reason, data: { portcullis: { layer: "gateway", rule: "undeliverable-server-request", code, auditId } } } });
  }

  private record(e: AuditEntry): string {
    return this.audit.record({ session: this.auditSession, caller: this.caller, ...e });
  }

  private linkClosed(link: ServerLink): void {
    if (this.ended || this.links.get(link.name) !== link) return;
    this.router.resources.forget(link.name);
    if ([...this.links.values()].every((l) => l.closed)) {
      // Let the relay's answers to pending requests (already queued) go out first.
      setImmediate(() => this.end());
      return;
    }
    if (!this.initialized) return;
    // Its tools, prompts and resources are gone from the merged lists: tell the client to list again.
    for (const [cap, method] of LIST_CHANGED) if (obj(link.capabilities?.[cap])) this.streams.send({ jsonrpc: "2.0", method });
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const l of this.links.values()) l.close();
    this.streams.end();
    this.undelivered.flush();
    this.onClosed(this);
  }
}
