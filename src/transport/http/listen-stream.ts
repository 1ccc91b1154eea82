import type { ServerResponse } from "node:http";
import type { JsonRpcId } from "../../protocol/json-rpc.js";

/** `_meta` key stamped on every message of a `subscriptions/listen` stream (2026-07-28). */
export const SUBSCRIPTION_ID_META = "io.modelcontextprotocol/subscriptionId";
export const SERVER_INFO_META = "io.modelcontextprotocol/serverInfo";
/** The SDK's default SSE keep-alive interval: a comment line, so proxies do not time the stream out. */
export const KEEP_ALIVE_MS = 15_000;

/** What a client opts in to on `subscriptions/listen` (SubscriptionFilter, MCP 2026-07-28). */
export interface SubscriptionFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

/** The change notifications a listen stream carries; every other notification belongs to a request. */
export const LISTEN_METHODS = new Set(["notifications/tools/list_changed", "notifications/prompts/list_changed", "notifications/resources/list_changed", "notifications/resources/updated"]);

/** `params.notifications` of a listen request, validated; undefined when absent or malformed (-32602). */
export function parseListenFilter(params: unknown): SubscriptionFilter | undefined {
  const n = typeof params === "object" && params !== null ? (params as Record<string, unknown>).notifications : undefined;
  if (typeof n !== "object" || n === null || Array.isArray(n)) return undefined;
  const r = n as Record<string, unknown>;
  const out: SubscriptionFilter = {};
  for (const k of ["toolsListChanged", "promptsListChanged", "resourcesListChanged"] as const) {
    if (r[k] === undefined) continue;
    if (typeof r[k] !== "boolean") return undefined;
    out[k] = r[k];
  }
  if (r.resourceSubscriptions !== undefined) {
    if (!Array.isArray(r.resourceSubscriptions) || !r.resourceSubscriptions.every((u) => typeof u === "string")) return undefined;
    out.resourceSubscriptions = [...new Set(r.resourceSubscriptions as string[])];
  }
  return out;
}

/**
 * The part of a requested filter the upstream can deliver: only what the client opted in to, narrowed by
 * the upstream's declared capabilities (`tools.listChanged`, ..., `resources.subscribe`), as the SDK's
 * own listen router does. It goes back in `notifications/subscriptions/acknowledged`.
 */
export function honoredSubset(requested: SubscriptionFilter, capabilities: Record<string, unknown>): SubscriptionFilter {
  const cap = (area: string, bit: string) => {
    const a = capabilities[area];
    return typeof a === "object" && a !== null && (a as Record<string, unknown>)[bit] === true;
  };
  const h: SubscriptionFilter = {};
  if (requested.toolsListChanged === true && cap("tools", "listChanged")) h.toolsListChanged = true;
  if (requested.promptsListChanged === true && cap("prompts", "listChanged")) h.promptsListChanged = true;
  if (requested.resourcesListChanged === true && cap("resources", "listChanged")) h.resourcesListChanged = true;
  if (requested.resourceSubscriptions && requested.resourceSubscriptions.length > 0 && cap("resources", "subscribe")) h.resourceSubscriptions = [...requested.resourceSubscriptions];
  return h;
}

/** Whether a filter lets a notification through (resources/updated: only for a subscribed URI, exactly). */
export function filterAccepts(filter: SubscriptionFilter, method: string, params: unknown): boolean {
  switch (method) {
    case "notifications/tools/list_changed":
      return filter.toolsListChanged === true;
    case "notifications/prompts/list_changed":
      return filter.promptsListChanged === true;
    case "notifications/resources/list_changed":
      return filter.resourcesListChanged === true;
    case "notifications/resources/updated": {
      const uri = typeof params === "object" && params !== null ? (params as Record<string, unknown>).uri : undefined;
      return typeof uri === "string" && filter.resourceSubscriptions?.includes(uri) === true;
    }
    default:
      return false;
  }
}

/** Copies a notification with the subscription id stamped into `params._meta`. */
export function stampSubscription(msg: Record<string, unknown>, id: JsonRpcId): Record<string, unknown> {
  const params = (typeof msg.params === "object" && msg.params !== null ? msg.params : {}) as Record<string, unknown>;
  const meta = (typeof params._meta === "object" && params._meta !== null ? params._meta : {}) as Record<string, unknown>;
  return { jsonrpc: "2.0", method: msg.method, params: { ...params, _meta: { ...meta, [SUBSCRIPTION_ID_META]: id } } };
}

/**
 * One open `subscriptions/listen` response: an SSE stream that starts with
 * `notifications/subscriptions/acknowledged`, carries the change notifications its filter accepts
 * (each stamped with the subscription id), sends a keep-alive comment every 15 s, and ends either
 * gracefully (the empty listen result, on shutdown) or abruptly (the upstream went away: the client
 * sees a remote close and re-listens).
 */
export class ListenStream {
  private keepAlive?: NodeJS.Timeout;
  private ended = false;

  constructor(readonly res: ServerResponse, readonly id: JsonRpcId, readonly filter: SubscriptionFilter, keepAliveMs = KEEP_ALIVE_MS) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" });
    this.write(stampSubscription({ method: "notifications/subscriptions/acknowledged", params: { notifications: filter } }, id));
    this.keepAlive = setInterval(() => this.raw(": keepalive\n\n"), keepAliveMs);
    this.keepAlive.unref();
    res.on("close", () => this.stop());
  }

  get open(): boolean {
    return !this.ended;
  }

  accepts(method: string, params: unknown): boolean {
    return !this.ended && filterAccepts(this.filter, method, params);
  }

  send(msg: Record<string, unknown>): void {
    this.write(stampSubscription(msg, this.id));
  }

  /** Ends the stream; `graceful` sends the empty listen result first (the spec's orderly close). */
  end(graceful: boolean, serverInfo?: unknown): void {
    if (this.ended) return;
    if (graceful) this.write({ jsonrpc: "2.0", id: this.id, result: { resultType: "complete", _meta: { [SUBSCRIPTION_ID_META]: this.id, ...(serverInfo !== undefined ? { [SERVER_INFO_META]: serverInfo } : {}) } } });
    this.stop();
    if (graceful) this.res.end();
    else this.res.destroy();
  }

  private write(msg: Record<string, unknown>): void {
    this.raw(`event: message\ndata: ${JSON.stringify(msg)}\n\n`);
  }

  private raw(frame: string): void {
    if (!this.ended && !this.res.writableEnded && !this.res.destroyed) this.res.write(frame);
  }

  private stop(): void {
    this.ended = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }
}
