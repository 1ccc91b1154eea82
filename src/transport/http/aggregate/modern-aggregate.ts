import type { ServerResponse } from "node:http";
import type { AuditLog } from "../../../audit/audit-record.js";
import type { Principal } from "../../../pipeline/session-state.js";
import { modernEnvelope, PROTOCOL_VERSION_META } from "../../../protocol/era.js";
import type { JsonRpcId, JsonRpcRequest } from "../../../protocol/json-rpc.js";
import type { GatewayRoute } from "../gateway.js";
import { channelKey, ListenLimitError, ModernChannel, MAX_LISTENERS, MAX_LISTEN_URIS, MODERN_VERSIONS, type ChannelSubscription } from "../modern-channel.js";
import { filterAccepts, ListenStream, parseListenFilter, type SubscriptionFilter } from "../listen-stream.js";
import { refuseRestarting } from "../restarting-reply.js";
import type { Admission, UpstreamSupervisors } from "../../upstream-supervisor.js";
import { AggregateRouter, isListMethod, type AggregateBackend } from "./aggregate-router.js";
import { CapturedReply } from "./captured-reply.js";
import { AGGREGATE_SERVER_INFO, mergeCapabilities } from "./merge-results.js";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);

/**
 * Stateless 2026-07-28 requests on `/mcp`, routed one by one through a ModernChannel per server and
 * caller (each with its own relay: the server's pipeline and audit apply as on `/mcp/<server>`).
 * `server/discover` merges the servers' capabilities; lists are asked of every channel and merged;
 * a routed request goes to its server's channel with the original name, which answers the client
 * directly (progress, logs and bridged server requests ride that answer, as on `/mcp/<server>`).
 * `subscriptions/listen` opens one subscription per server on its channel and merges them into one
 * SSE stream. Channels' stdio upstreams report to the gateway's per-server supervisors: a server in
 * crash backoff is left out of lists, discover and listens (audited), and a request routed to it
 * gets 503 + Retry-After (UPSTREAM_RESTARTING).
 */
export class ModernAggregate {
  private readonly channels = new Map<string, ModernChannel>();
  /** Per caller: which server listed which resource URI. */
  private readonly routers = new Map<string, AggregateRouter>();
  /** Caller and request id -> the server a routed request went to (for notifications/cancelled). */
  private readonly inflight = new Map<string, string>();
  /** Caller and listen request id -> ends that merged listen (notifications/cancelled). */
  private readonly listens = new Map<string, () => void>();

  constructor(private readonly opts: { routes: ReadonlyMap<string, GatewayRoute>; audit: AuditLog; log: (l: string) => void; supervisors?: UpstreamSupervisors; keepAliveMs?: number }) {}

  async handle(m: Obj, raw: string, res: ServerResponse, principal: Principal | undefined, allowed: readonly string[], notification: boolean, acceptsSse = false): Promise<void> {
    const id = typeof m.id === "string" || typeof m.id === "number" ? m.id : null;
    const envelope = modernEnvelope(m as unknown as JsonRpcRequest);
    const requested = envelope?.[PROTOCOL_VERSION_META];
    if (typeof requested !== "string" || !(MODERN_VERSIONS as readonly string[]).includes(requested)) {
      json(res, 400, { jsonrpc: "2.0", id, error: { code: -32022, message: `Unsupported protocol version: ${String(requested)}`, data: { supported: [...MODERN_VERSIONS, "2025-11-25"], requested } } });
      return;
    }
    if (notification) {
      // A cancellation goes to the channel its request went to; other notifications to every channel.
      const rid = obj(m.params)?.requestId;
      const listen = m.method === "notifications/cancelled" ? this.listens.get(inflightKey(principal, rid)) : undefined;
      if (listen) {
        listen();
        res.writeHead(202).end();
        return;
      }
      const target = m.method === "notifications/cancelled" ? this.inflight.get(inflightKey(principal, rid)) : undefined;
      for (const s of target ? [target] : m.method === "notifications/cancelled" ? [] : allowed) this.channels.get(key(s, principal))?.notify(raw);
      res.writeHead(202).end();
      return;
    }
    const method = String(m.method);
    const params = obj(m.params) ?? {};
    const router = this.routerFor(principal);
    const backend = this.backend(allowed, principal, envelope!);
    if (method === "server/discover") {
      const caps = await Promise.all(allowed.map(async (s) => {
        try {
          return obj((await this.channel(s, principal).ready).capabilities) ?? {};
        } catch (e) {
          router.omitted(s, method, (e as Error).message);
          return undefined;
        }
      }));
      json(res, 200, { jsonrpc: "2.0", id, result: {
        supportedVersions: [...MODERN_VERSIONS], capabilities: mergeCapabilities(caps.filter((c) => c !== undefined)), resultType: "complete", ttlMs: 0, cacheScope: "private",
        _meta: { "io.modelcontextprotocol/serverInfo": { ...AGGREGATE_SERVER_INFO } },
      } });
      return;
    }
    if (method === "ping") {
      json(res, 200, { jsonrpc: "2.0", id, result: { resultType: "complete" } });
      return;
    }
    if (method === "subscriptions/listen") return this.listen(m, id, res, principal, allowed, router, backend);
    if (isListMethod(method)) {
      const result = await router.list(method, params, backend);
      json(res, 200, { jsonrpc: "2.0", id, result: { ...result, resultType: "complete", ttlMs: 0, cacheScope: "private" } });
      return;
    }
    const t = await router.target(id, method, params, backend, true);
    if (t.kind === "reply") {
      json(res, t.status ?? 200, t.reply);
      return;
    }
    let ch: ModernChannel;
    try {
      ch = this.channel(t.server, principal);
      await ch.ready;
    } catch (e) {
      if (e instanceof RestartingError) return refuseRestarting(res, this.opts.audit, e.refused, { server: t.server, caller: callerOf(principal), method, id, endpoint: "/mcp" });
      json(res, 200, router.deny(id, method, params, "UPSTREAM_UNAVAILABLE", "upstream-unavailable", `Portcullis could not reach server "${t.server}": ${(e as Error).message}.`, true, t.server));
      return;
    }
    const k = inflightKey(principal, id);
    // A client that left while the request was routed: its "close" has fired already, so nothing would forget the entry.
    if (!res.destroyed) {
      this.inflight.set(k, t.server);
      res.on("close", () => this.inflight.get(k) === t.server && this.inflight.delete(k));
    }
    ch.request({ ...m, params: t.params }, res, acceptsSse);
  }

  close(): void {
    for (const c of this.channels.values()) c.close();
    this.channels.clear();
  }

  /**
   * `subscriptions/listen` on `/mcp`: the list_changed flags go to every server the caller may reach,
   * each resource URI to the server that owns it (resource-routes: listed, else template; unknown or
   * ambiguous URIs are refused, audited, and left out). One subscription per server on its channel
   * (narrowed by its capabilities, URIs subscribed upstream through its relay); one SSE answer
   * acknowledging the union of what they honored, then every accepted notification of every server,
   * stamped with the listen id. Closing the response (or notifications/cancelled naming the listen)
   * releases every server's subscription; one server's upstream crashing ends the merged stream
   * abruptly (the client re-listens; a server then in backoff is left out), shutdown gracefully.
   */
  private async listen(m: Obj, id: JsonRpcId | null, res: ServerResponse, principal: Principal | undefined, allowed: readonly string[], router: AggregateRouter, backend: AggregateBackend): Promise<void> {
    const filter = parseListenFilter(m.params);
    if (!filter || id === null) {
      json(res, 200, { jsonrpc: "2.0", id, error: { code: -32602, message: "Invalid params: 'notifications' is required and must be a valid SubscriptionFilter" } });
      return;
    }
    if ((filter.resourceSubscriptions?.length ?? 0) > MAX_LISTEN_URIS) {
      this.opts.audit.record({ event: "subscription_refused", severity: "low", caller: callerOf(principal), method: "subscriptions/listen", decision: "deny", layer: "aggregate", reason: `${filter.resourceSubscriptions!.length} resourceSubscriptions (at most ${MAX_LISTEN_URIS} per listen)` });
      json(res, 200, { jsonrpc: "2.0", id, error: { code: -32602, message: `Invalid params: at most ${MAX_LISTEN_URIS} resourceSubscriptions per listen request` } });
      return;
    }
    const full = allowed.find((s) => (this.channels.get(key(s, principal))?.listenerCount ?? 0) >= MAX_LISTENERS);
    if (full) {
      this.opts.audit.record({ event: "subscription_refused", severity: "low", caller: callerOf(principal), server: full, method: "subscriptions/listen", decision: "deny", layer: "aggregate", reason: `subscription limit reached (${MAX_LISTENERS} per caller and server)` });
      json(res, 200, { jsonrpc: "2.0", id, error: { code: -32603, message: "Subscription limit reached" } });
      return;
    }
    const envelope = obj(m.params)?._meta;
    const flags: SubscriptionFilter = {};
    for (const k of ["toolsListChanged", "promptsListChanged", "resourcesListChanged"] as const) if (filter[k] === true) flags[k] = true;
    const uris = new Map<string, string[]>();
    let refreshed = false; // unknown URIs trigger one fresh listing per listen, not one each
    for (const uri of filter.resourceSubscriptions ?? []) {
      const known = router.resources.owner(uri, backend.servers).kind !== "unknown";
      const t = await router.target(id, "resources/subscribe", { uri }, backend, true, !refreshed);
      if (!known) refreshed = true;
      if (t.kind === "forward") uris.set(t.server, [...(uris.get(t.server) ?? []), uri]);
    }
    let limited: string | undefined;
    const opened = await Promise.all(allowed.map(async (server): Promise<ChannelSubscription | undefined> => {
      const wanted: SubscriptionFilter = { ...flags, ...(uris.has(server) ? { resourceSubscriptions: uris.get(server) } : {}) };
      if (Object.keys(wanted).length === 0) return undefined;
      try {
        const sub = await this.channel(server, principal).subscribe(wanted, envelope);
        if (!sub) throw new Error("its upstream went away");
        return sub;
      } catch (e) {
        if (e instanceof ListenLimitError) limited = server;
        else router.omitted(server, "subscriptions/listen", (e as Error).message);
        return undefined;
      }
    }));
    const subs = opened.filter((x): x is ChannelSubscription => x !== undefined);
    const releaseAll = () => subs.forEach((x) => x.release());
    if (limited !== undefined) {
      // Concurrent listens filled a server's slots while this one was being routed: the same refusal as above.
      releaseAll();
      this.opts.audit.record({ event: "subscription_refused", severity: "low", caller: callerOf(principal), server: limited, method: "subscriptions/listen", decision: "deny", layer: "aggregate", reason: `subscription limit reached (${MAX_LISTENERS} per caller and server)` });
      json(res, 200, { jsonrpc: "2.0", id, error: { code: -32603, message: "Subscription limit reached" } });
      return;
    }
    if (res.destroyed || res.writableEnded) {
      releaseAll();
      return;
    }
    const honored = unionFilter(subs.map((x) => x.honored), filter.resourceSubscriptions ?? []);
    const stream = new ListenStream(res, id, honored, this.opts.keepAliveMs);
    const serverInfo = { ...AGGREGATE_SERVER_INFO };
    if (Object.keys(honored).length === 0) {
      releaseAll();
      stream.end(true, serverInfo);
      return;
    }
    const k = inflightKey(principal, id);
    let done = false;
    const finish = (graceful: boolean) => {
      if (done) return;
      done = true;
      if (this.listens.get(k) === cancel) this.listens.delete(k);
      releaseAll();
      stream.end(graceful, serverInfo);
    };
    const cancel = () => finish(false);
    this.listens.set(k, cancel);
    for (const sub of subs) {
      sub.attach({ accepts: (method, params) => !done && filterAccepts(sub.honored, method, params), send: (msg) => stream.send(msg), end: (graceful) => finish(graceful) });
    }
    res.on("close", () => finish(false));
  }

  private backend(allowed: readonly string[], principal: Principal | undefined, envelope: Obj): AggregateBackend {
    return {
      servers: allowed,
      capabilities: async (s) => {
        try {
          return obj((await this.channel(s, principal).ready).capabilities) ?? {};
        } catch (e) {
          this.opts.log(`/mcp: server "${s}" unavailable: ${(e as Error).message}`);
          return undefined;
        }
      },
      ask: async (s, method, params) => {
        const ch = this.channel(s, principal);
        await ch.ready; // a rejection leaves the server out (the router audits it)
        const captured = new CapturedReply(this.opts.routes.get(s)!.server.timeoutMs + 5_000);
        ch.request({ jsonrpc: "2.0", id: 0 as JsonRpcId, method, params: { ...params, _meta: obj(params._meta) ?? envelope } }, captured.res);
        return captured.reply;
      },
    };
  }

  /** The caller's channel to a server; throws RestartingError when a new one may not start yet (crash backoff). */
  private channel(server: string, principal: Principal | undefined): ModernChannel {
    const k = key(server, principal);
    const existing = this.channels.get(k);
    if (existing && !existing.closed) return existing;
    const route = this.opts.routes.get(server)!;
    const supervisor = this.opts.supervisors?.for(route.server);
    const admitted = supervisor?.admit();
    if (admitted && !admitted.ok) throw new RestartingError(server, admitted);
    const created: ModernChannel = new ModernChannel({
      server: route.server, pipeline: route.pipeline, audit: this.opts.audit, principal, log: this.opts.log, supervisor, keepAliveMs: this.opts.keepAliveMs,
      caller: callerOf(principal),
      onClosed: () => this.channels.get(k) === created && this.channels.delete(k),
    });
    this.channels.set(k, created);
    return created;
  }

  private routerFor(principal: Principal | undefined): AggregateRouter {
    const k = principal?.id ?? "";
    let r = this.routers.get(k);
    if (!r) {
      r = new AggregateRouter({ audit: this.opts.audit, log: this.opts.log, caller: principal ? `${principal.kind}:${principal.id}` : undefined });
      this.routers.set(k, r);
    }
    return r;
  }
}

/** A new channel was refused: the server is in crash backoff. */
class RestartingError extends Error {
  constructor(readonly server: string, readonly refused: Extract<Admission, { ok: false }>) {
    super(`server "${server}" is restarting after it ${refused.lastExit ?? "crashed"} (crash backoff; retry in ${Math.max(1, Math.ceil(refused.retryAfterMs / 1000))} s)`);
  }
}

/** The union of what several servers honored; URIs in the order the client asked for them. */
function unionFilter(parts: readonly SubscriptionFilter[], order: readonly string[]): SubscriptionFilter {
  const out: SubscriptionFilter = {};
  for (const k of ["toolsListChanged", "promptsListChanged", "resourcesListChanged"] as const) if (parts.some((p) => p[k] === true)) out[k] = true;
  const granted = new Set(parts.flatMap((p) => p.resourceSubscriptions ?? []));
  if (granted.size > 0) out.resourceSubscriptions = order.filter((u) => granted.has(u));
  return out;
}

const callerOf = (principal: Principal | undefined) => (principal ? `${principal.kind}:${principal.id}` : undefined);
/** One channel per server and credentials (principal and scopes), as on `/mcp/<server>`. */
const key = channelKey;
const inflightKey = (principal: Principal | undefined, id: unknown) => `${principal?.id ?? ""}\u0000${typeof id}:${String(id)}`;

function json(res: ServerResponse, status: number, body: Obj): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
