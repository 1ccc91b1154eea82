import type { ServerResponse } from "node:http";
import type { AuditLog } from "../../../audit/audit-record.js";
import type { Principal } from "../../../pipeline/session-state.js";
import { modernEnvelope, PROTOCOL_VERSION_META } from "../../../protocol/era.js";
import type { JsonRpcId, JsonRpcRequest } from "../../../protocol/json-rpc.js";
import type { GatewayRoute } from "../gateway.js";
import { CAPS_META, channelKey, ListenLimitError, LOG_LEVEL_META, ModernChannel, MAX_LISTENERS, MAX_LISTEN_URIS, MODERN_VERSIONS, type ChannelSubscription } from "../modern-channel.js";
import { filterAccepts, ListenStream, parseListenFilter, type SubscriptionFilter } from "../listen-stream.js";
import { refuseBusy, refuseRestarting } from "../restarting-reply.js";
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
 * gets 503 + Retry-After (UPSTREAM_RESTARTING). Channels idle for the gateway's idle timeout are
 * reaped (`sweep`), with the per-caller bookkeeping once a caller's last channel has gone; at most
 * `maxCallers` sets of credentials have channels at once (a new one beyond gets 503 GATEWAY_BUSY).
 */
export class ModernAggregate {
  private readonly channels = new Map<string, ModernChannel>();
  /** Per caller: which server listed which resource URI. */
  private readonly routers = new Map<string, AggregateRouter>();
  /** Caller and request id -> the server a routed request went to (for notifications/cancelled). */
  private readonly inflight = new Map<string, string>();
  /** Caller and listen request id -> ends that merged listen (notifications/cancelled). */
  private readonly listens = new Map<string, () => void>();
  /** Live channels per set of credentials (channelKey without the server), and per principal id (its router). */
  private readonly perCredentials = new Map<string, number>();
  private readonly perPrincipal = new Map<string, number>();

  constructor(private readonly opts: { routes: ReadonlyMap<string, GatewayRoute>; audit: AuditLog; log: (l: string) => void; supervisors?: UpstreamSupervisors; keepAliveMs?: number; maxCallers?: number }) {}

  /** Live channels (one upstream each). */
  get channelCount(): number {
    return this.channels.size;
  }

  /** Closes channels idle for `idleMs` (nothing in flight, no listen, no pending approval): expected stops. */
  sweep(now: number, idleMs: number): void {
    for (const [k, c] of this.channels) if (c.reapable(now, idleMs)) {
      this.forget(k, c);
      c.close();
    }
    // Routers of callers whose requests opened no channel (ping, refusals) go too.
    for (const pid of this.routers.keys()) if (!this.perPrincipal.has(pid)) this.routers.delete(pid);
  }

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
    if (method === "ping") {
      json(res, 200, { jsonrpc: "2.0", id, result: { resultType: "complete" } });
      return;
    }
    // A caller without channels would open new ones (one upstream per server): bounded like sessions.
    if (this.full(principal)) return this.refuseBusy(res, principal, method, id);
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
      if (e instanceof BusyError) return this.refuseBusy(res, principal, method, id);
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
    this.perCredentials.clear();
    this.perPrincipal.clear();
    this.routers.clear();
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
        ch.request({ jsonrpc: "2.0", id: 0 as JsonRpcId, method, params: { ...params, _meta: internalMeta(obj(params._meta) ?? envelope) } }, captured.res);
        return captured.reply;
      },
    };
  }

  /** The caller's channel to a server; throws RestartingError when a new one may not start yet (crash backoff). */
  private channel(server: string, principal: Principal | undefined): ModernChannel {
    const k = key(server, principal);
    const existing = this.channels.get(k);
    if (existing && !existing.closed) {
      existing.touch();
      return existing;
    }
    if (existing) this.forget(k, existing);
    if (this.full(principal)) throw new BusyError();
    const route = this.opts.routes.get(server)!;
    const supervisor = this.opts.supervisors?.for(route.server);
    const admitted = supervisor?.admit();
    if (admitted && !admitted.ok) throw new RestartingError(server, admitted);
    const created: ModernChannel = new ModernChannel({
      server: route.server, pipeline: route.pipeline, audit: this.opts.audit, principal, log: this.opts.log, supervisor, keepAliveMs: this.opts.keepAliveMs,
      caller: callerOf(principal),
      onClosed: () => this.forget(k, created),
    });
    this.channels.set(k, created);
    const cred = credentialsKey(principal);
    this.perCredentials.set(cred, (this.perCredentials.get(cred) ?? 0) + 1);
    const pid = principal?.id ?? "";
    this.perPrincipal.set(pid, (this.perPrincipal.get(pid) ?? 0) + 1);
    return created;
  }

  /** New credentials may not open channels: `maxCallers` sets of credentials have some already. */
  private full(principal: Principal | undefined): boolean {
    return !this.perCredentials.has(credentialsKey(principal)) && this.perCredentials.size >= (this.opts.maxCallers ?? 100);
  }

  private refuseBusy(res: ServerResponse, principal: Principal | undefined, method: string, id: JsonRpcId | null): void {
    refuseBusy(res, this.opts.audit, { what: "callers with stateless channels", open: this.perCredentials.size, caller: callerOf(principal), method, id, endpoint: "/mcp" });
  }

  /** A channel went (reaped, exited, replaced): drop it, and the caller's bookkeeping with its last channel. */
  private forget(k: string, ch: ModernChannel): void {
    if (this.channels.get(k) !== ch) return;
    this.channels.delete(k);
    const principal = ch.state.principal;
    const cred = credentialsKey(principal);
    const n = (this.perCredentials.get(cred) ?? 1) - 1;
    if (n > 0) this.perCredentials.set(cred, n);
    else this.perCredentials.delete(cred);
    const pid = principal?.id ?? "";
    const p = (this.perPrincipal.get(pid) ?? 1) - 1;
    if (p > 0) this.perPrincipal.set(pid, p);
    else {
      // The caller's router (which server listed which URI) goes with its last channel; its
      // requests and listens in flight ended with their channels (their close handlers clean up).
      this.perPrincipal.delete(pid);
      this.routers.delete(pid);
    }
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

/** A new channel was refused: too many callers have channels (max_sessions). */
class BusyError extends Error {
  constructor() {
    super("the gateway is at its limit of callers with stateless channels (max_sessions)");
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

/**
 * `_meta` for a request `/mcp` makes of a channel itself (lists, resource routing): no client capability
 * (a server's sampling/elicitation must never be bridged onto it: its input_required answer would be
 * taken for the list reply), and no progress token or log level (nobody reads its stream).
 */
export function internalMeta(meta: Obj | undefined): Obj | undefined {
  if (!meta) return undefined;
  const { [CAPS_META]: _caps, [LOG_LEVEL_META]: _level, progressToken: _token, ...rest } = meta;
  return rest;
}

/** One set of credentials (channelKey without the server). */
const credentialsKey = (principal: Principal | undefined) => channelKey("", principal);
const callerOf = (principal: Principal | undefined) => (principal ? `${principal.kind}:${principal.id}` : undefined);
/** One channel per server and credentials (principal and scopes), as on `/mcp/<server>`. */
const key = channelKey;
const inflightKey = (principal: Principal | undefined, id: unknown) => `${principal?.id ?? ""}\u0000${typeof id}:${String(id)}`;

function json(res: ServerResponse, status: number, body: Obj): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
