import type { ServerResponse } from "node:http";
import type { AuditLog } from "../../../audit/audit-record.js";
import type { Principal } from "../../../pipeline/session-state.js";
import { modernEnvelope, PROTOCOL_VERSION_META } from "../../../protocol/era.js";
import type { JsonRpcId, JsonRpcRequest } from "../../../protocol/json-rpc.js";
import type { GatewayRoute } from "../gateway.js";
import { ModernChannel, MODERN_VERSIONS } from "../modern-channel.js";
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
 * directly. Server-initiated messages are not delivered in this era (ModernChannel has no stream).
 */
export class ModernAggregate {
  private readonly channels = new Map<string, ModernChannel>();
  /** Per caller: which server listed which resource URI. */
  private readonly routers = new Map<string, AggregateRouter>();
  /** Caller and request id -> the server a routed request went to (for notifications/cancelled). */
  private readonly inflight = new Map<string, string>();

  constructor(private readonly opts: { routes: ReadonlyMap<string, GatewayRoute>; audit: AuditLog; log: (l: string) => void }) {}

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
      const caps = await Promise.all(allowed.map((s) => backend.capabilities(s)));
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
    const ch = this.channel(t.server, principal);
    try {
      await ch.ready;
    } catch (e) {
      json(res, 200, router.deny(id, method, params, "UPSTREAM_UNAVAILABLE", "upstream-unavailable", `Portcullis could not reach server "${t.server}": ${(e as Error).message}.`, true, t.server));
      return;
    }
    const k = inflightKey(principal, id);
    this.inflight.set(k, t.server);
    res.on("close", () => this.inflight.get(k) === t.server && this.inflight.delete(k));
    ch.request({ ...m, params: t.params }, res, acceptsSse);
  }

  close(): void {
    for (const c of this.channels.values()) c.close();
    this.channels.clear();
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

  private channel(server: string, principal: Principal | undefined): ModernChannel {
    const k = key(server, principal);
    const existing = this.channels.get(k);
    if (existing && !existing.closed) return existing;
    const route = this.opts.routes.get(server)!;
    const created: ModernChannel = new ModernChannel({
      server: route.server, pipeline: route.pipeline, audit: this.opts.audit, principal, log: this.opts.log,
      caller: principal ? `${principal.kind}:${principal.id}` : undefined,
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

const key = (server: string, principal: Principal | undefined) => `${server}\u0000${principal?.id ?? ""}`;
const inflightKey = (principal: Principal | undefined, id: unknown) => `${principal?.id ?? ""}\u0000${typeof id}:${String(id)}`;

function json(res: ServerResponse, status: number, body: Obj): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
