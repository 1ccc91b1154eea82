import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { AuditEntry, AuditLog } from "../../audit/audit-record.js";
import type { ServerPolicy } from "../../config/server-policy.js";
import { ERROR_CODES, type ErrorCode } from "../../errors/error-codes.js";
import type { Pipeline } from "../../pipeline/pipeline.js";
import { SessionState, type Principal } from "../../pipeline/session-state.js";
import { auditedLine } from "../../proxy/audited-line.js";
import { MessageRelay } from "../../proxy/message-relay.js";
import { approvalsFor } from "../../approvals/broker-registry.js";
import type { JsonRpcId } from "../../protocol/json-rpc.js";
import { openUpstream, type Upstream } from "../open-upstream.js";
import { StderrTail, startRun, type UpstreamRun, type UpstreamSupervisor } from "../upstream-supervisor.js";
import { httpStatusOf } from "./rate-limit-status.js";
import { honoredSubset, LISTEN_METHODS, ListenStream, parseListenFilter, type SubscriptionFilter } from "./listen-stream.js";
import { UndeliveredAudit } from "./undelivered-audit.js";

export const MODERN_VERSIONS = ["2026-07-28"] as const;
const HANDSHAKE_ID = "portcullis-handshake";
export const CAPS_META = "io.modelcontextprotocol/clientCapabilities";
export const LOG_LEVEL_META = "io.modelcontextprotocol/logLevel";
/** Our `requestState` for a bridged server->client request; the approval broker's tokens never start so. */
export const BRIDGE_STATE_PREFIX = "pcsr_";
/** Listen streams per (server, caller) channel (`/mcp`'s merged listens count one per server). */
export const MAX_LISTENERS = 64;
/** `resourceSubscriptions` per listen: each URI is one upstream `resources/subscribe` (and, on `/mcp`, may need a listing). */
export const MAX_LISTEN_URIS = 256;

/** A listen would exceed MAX_LISTENERS on this channel (streams open or being opened). */
export class ListenLimitError extends Error {
  constructor() {
    super(`subscription limit reached (${MAX_LISTENERS} per caller and server)`);
  }
}

/**
 * The channel a stateless request uses: one per server and credentials. Not the principal id alone: two
 * tokens of one subject may carry different scopes (or rate limits), and a channel's pipeline judges
 * with the principal it was opened with.
 */
export function channelKey(server: string, principal: Principal | undefined): string {
  if (!principal) return `${server}\u0000`;
  return [server, principal.kind, principal.id, [...principal.scopes].sort().join(" "), String(principal.ratePerMinute ?? "")].join("\u0000");
}
const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];
/** Server->client requests a 2025-era upstream may send, and the client capability each needs. */
const BRIDGED_REQUESTS: Record<string, string> = { "sampling/createMessage": "sampling", "elicitation/create": "elicitation", "roots/list": "roots" };

interface Waiting {
  /** Undefined while the request is parked: its answer so far was an input_required result. */
  res?: ServerResponse;
  id: JsonRpcId;
  method: string;
  /** The response was switched to SSE (a notification for this request was streamed on it). */
  sse: boolean;
  /** The client accepts text/event-stream. */
  canStream: boolean;
  /** The client's progress token (the upstream sees the internal id instead). */
  progressToken?: string | number;
  /** 2026-07-28 per-request log level: log notifications are streamed only when set. */
  logLevel?: string;
  capabilities: Record<string, unknown>;
  /** The upstream's reply, when it arrived while the request was parked. */
  buffered?: Record<string, unknown>;
}

/** A server->client request from the upstream, asked of the client through an input_required result. */
interface Parked {
  upstreamId: JsonRpcId;
  method: string;
  key: string;
  /** Internal id of the in-flight request whose answer carried the input request. */
  carrier: string;
  timer: NodeJS.Timeout;
  /** The upstream withdrew it (notifications/cancelled): the client's answer is not forwarded. */
  cancelled?: boolean;
}

export interface ModernChannelOptions {
  server: ServerPolicy;
  command?: readonly string[];
  pipeline: Pipeline;
  audit: AuditLog;
  principal?: Principal;
  caller?: string;
  log: (l: string) => void;
  onClosed: () => void;
  /** Crash accounting and backoff for the server's stdio upstreams (shared by every endpoint and caller). */
  supervisor?: UpstreamSupervisor;
  keepAliveMs?: number;
}

/** What a listen stream (or one server's part of `/mcp`'s merged listen) needs from a channel. */
export interface ListenSink {
  /** The listen request id, for `notifications/cancelled` naming it; undefined when cancelled elsewhere. */
  readonly id?: JsonRpcId;
  accepts(method: string, params: unknown): boolean;
  send(msg: Record<string, unknown>): void;
  /** The channel is closing: `graceful` on shutdown or an expected stop, abrupt after a crash. */
  end(graceful: boolean, serverInfo?: unknown): void;
}

/** A filter honored by one channel (URIs subscribed upstream); attach a sink to receive, release to undo. */
export interface ChannelSubscription {
  honored: SubscriptionFilter;
  serverInfo: unknown;
  attach(sink: ListenSink): void;
  /** Detaches the sink and unsubscribes URIs no other stream wants. Idempotent. */
  release(): void;
}

/** 2026-07-28 results that must carry cache hints (SEP-2549); 2025-era upstreams never send them. */
const CACHEABLE = new Set(["tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read"]);

/**
 * Stateless-era (2026-07-28) serving for one server and one caller: a shared upstream the gateway
 * itself initialises (so 2025-era servers can be bridged), request ids and progress tokens remapped so
 * concurrent HTTP requests cannot collide, `server/discover` answered from the upstream's capabilities,
 * and `resultType: "complete"` added to results that lack it. The caller is the session (SPEC).
 *
 * Upstream messages reach the client after the relay (server-message layers applied, denials audited):
 * progress and (opted-in) log notifications ride their request's response, upgraded to SSE; change
 * notifications go to the `subscriptions/listen` streams whose filter accepts them; server->client
 * requests (sampling, elicitation, roots) are asked of the client as an `input_required` result on an
 * in-flight request and answered upstream when the client retries with `inputResponses`. Anything that
 * cannot be delivered is audited (`server_message_undelivered`); a server request is then refused.
 */
export class ModernChannel {
  readonly state: SessionState;
  private readonly relay: MessageRelay;
  private readonly upstream: Upstream;
  private readonly waiting = new Map<string, Waiting>();
  private readonly internal = new Map<string, (reply: Record<string, unknown>) => void>();
  private readonly parked = new Map<string, Parked>();
  private readonly listeners = new Set<ListenSink>();
  /** Resource URIs subscribed upstream (resources/subscribe), with how many listen streams want each. */
  private readonly uriRefs = new Map<string, { count: number; ok: Promise<boolean> }>();
  private readonly stderr?: StderrTail;
  private readonly run: UpstreamRun;
  private readonly opts: ModernChannelOptions;
  private seq = 0;
  /** Subscriptions handed out by subscribe() and not yet attached or released (count towards MAX_LISTENERS). */
  private reserved = 0;
  private handshake?: { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void };
  private readonly undeliveredAudit: UndeliveredAudit;
  /** Last request, notification or reply through the channel (the idle sweep). */
  private lastActive = Date.now();
  /**
   * An approval asked through an input_required result may be decided (and its session grants used)
   * until then: the retry must find this channel, whose session id the approval is bound to.
   */
  private approvalsUntil = 0;
  private init?: Record<string, unknown>;
  readonly ready: Promise<Record<string, unknown>>;
  closed = false;

  constructor(opts: ModernChannelOptions) {
    this.opts = opts;
    // Approval grants ("for this session") and requestStates are bound to this id: crypto-random, 122 bits.
    this.state = new SessionState(`m_${randomUUID().replaceAll("-", "")}`);
    this.undeliveredAudit = new UndeliveredAudit((e) => void this.record(e));
    this.state.principal = opts.principal;
    this.state.caller = opts.caller;
    this.ready = new Promise((resolve, reject) => (this.handshake = { resolve, reject }));
    this.ready.catch(() => {}); // observed by callers; never an unhandled rejection
    const stdio = (opts.command && opts.command.length > 0) || (opts.server.command && opts.server.command.length > 0);
    // A stdio upstream's stderr goes to the operator log (where it went before, inherited), prefixed with
    // the server name; its tail explains crashes (kept out of the audit log under zdr).
    if (stdio) this.stderr = new StderrTail(opts.server.name, opts.log);
    this.run = startRun(opts.supervisor, opts.caller);
    this.upstream = openUpstream(opts.server, { command: opts.command, stderr: this.stderr ? (c) => this.stderr!.push(c) : undefined }, {
      line: (text, bytes) => {
        if (this.handshake && text.includes(HANDSHAKE_ID)) return this.finishHandshake(text);
        this.relay.fromUpstream(text, bytes);
      },
      oversize: (id, bytes) => this.relay.rejectUpstreamFrame(id, bytes),
      invalidUtf8: (id, bytes) => this.relay.rejectUpstreamFrame(id, bytes, "invalid-utf8"),
      failed: (e) => this.shut(`could not be started (${e.message})`, false),
      closed: (how, _c, expected) => this.shut(how, expected),
    });
    this.relay = new MessageRelay({
      server: opts.server, pipeline: opts.pipeline, audit: opts.audit, session: this.state, caller: opts.caller, log: opts.log, approvals: approvalsFor(opts.pipeline),
      endpoints: { toClient: (l, unaudited) => this.deliver(auditedLine(opts.audit, l, unaudited)), toUpstream: (l) => this.upstream.write(l) },
    });
    // Sampling and elicitation are bridged to input_required results. Roots is not declared: servers ask
    // for roots right after initialize, when no request is in flight to carry the question.
    this.upstream.write(JSON.stringify({ jsonrpc: "2.0", id: HANDSHAKE_ID, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: { sampling: {}, elicitation: { form: {} } }, clientInfo: { name: "portcullis-gateway", version: "0.1.0" } } }));
  }

  /** A request for this channel is on its way (routing, handshake): not idle. */
  touch(): void {
    this.lastActive = Date.now();
  }

  /**
   * May the idle sweep close this channel? Handshake done, nothing in flight (requests, parked server
   * requests, our own requests), no listen streams (open or being opened), no approval that a retry may still need,
   * and no activity for `idleMs`.
   */
  reapable(now: number, idleMs: number): boolean {
    // A handshake in progress has requests awaiting it (not in `waiting` yet); a hung one is reaped eventually.
    if (this.handshake !== undefined && now - this.lastActive <= Math.max(idleMs, this.opts.server.timeoutMs)) return false;
    if (this.closed || this.waiting.size > 0 || this.parked.size > 0 || this.internal.size > 0 || this.listenerCount > 0 || this.uriRefs.size > 0) return false;
    return now >= this.approvalsUntil && now - this.lastActive > idleMs;
  }

  /** Open `subscriptions/listen` streams (for /ready and tests). */
  get listenerCount(): number {
    return this.listeners.size + this.reserved;
  }

  /**
   * One modern request; `res` is answered with JSON when its reply arrives, or as SSE once a
   * notification for it (progress, logging) was streamed and the client accepts SSE.
   */
  request(msg: Record<string, unknown>, res: ServerResponse, acceptsSse = false): void {
    this.touch();
    const params = (typeof msg.params === "object" && msg.params !== null ? msg.params : {}) as Record<string, unknown>;
    if (typeof params.requestState === "string" && params.requestState.startsWith(BRIDGE_STATE_PREFIX)) {
      this.resume(msg, params, res, acceptsSse);
      return;
    }
    const internal = `g${++this.seq}`;
    const meta = (typeof params._meta === "object" && params._meta !== null ? params._meta : {}) as Record<string, unknown>;
    const w: Waiting = { res, id: msg.id as JsonRpcId, method: String(msg.method), sse: false, canStream: acceptsSse, capabilities: capsOf(meta), logLevel: typeof meta[LOG_LEVEL_META] === "string" ? meta[LOG_LEVEL_META] : undefined };
    let out = msg;
    const token = meta.progressToken;
    if (typeof token === "string" || typeof token === "number") {
      // Two clients of one caller may both use token 1: the upstream sees a token unique to this request.
      w.progressToken = token;
      out = { ...msg, params: { ...params, _meta: { ...meta, progressToken: internal } } };
    }
    this.waiting.set(internal, w);
    this.watchClose(internal, res);
    this.relay.fromClient(JSON.stringify({ ...out, id: internal }));
  }

  /** A client notification. Cancellations are mapped to the internal id (or end a listen stream). */
  notify(raw: string): void {
    this.touch();
    let msg: Record<string, unknown> | undefined;
    try {
      msg = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      msg = undefined;
    }
    if (msg?.method !== "notifications/cancelled") {
      this.relay.fromClient(raw);
      return;
    }
    const params = (msg.params ?? {}) as Record<string, unknown>;
    const rid = params.requestId;
    const listening = [...this.listeners].filter((l) => l.id !== undefined && l.id === rid);
    if (listening.length > 0) {
      // The client closed its subscription; it aborts the stream too. Ambiguous ids (two clients of one
      // caller both using "listen:1") are left to the stream close.
      if (listening.length === 1) listening[0]!.end(false);
      return;
    }
    const matches = [...this.waiting.entries()].filter(([, w]) => w.res && w.id === rid);
    if (matches.length !== 1) {
      this.undelivered("notifications/cancelled", matches.length === 0 ? "it names no request in flight" : "its request id is ambiguous among this caller's requests in flight", "client");
      return;
    }
    const [internal, w] = matches[0]!;
    this.relay.fromClient(JSON.stringify({ ...msg, params: { ...params, requestId: internal } }));
    // A cancelled request gets no reply from the upstream: end its HTTP response now (the SDK client
    // has usually aborted it already).
    this.waiting.delete(internal);
    if (w.res) this.jsonError(w.res, w.id, -32800, "Request cancelled by the client (notifications/cancelled).");
  }

  /**
   * `subscriptions/listen`: an SSE stream acknowledging the honored filter, then the matching change
   * notifications. Resource URIs are subscribed upstream (`resources/subscribe`, through the relay, so
   * policy applies) and unsubscribed when no stream wants them any more.
   */
  async listen(msg: Record<string, unknown>, res: ServerResponse): Promise<void> {
    const id = msg.id as JsonRpcId;
    const filter = parseListenFilter(msg.params);
    if (!filter) {
      this.jsonError(res, id, -32602, "Invalid params: 'notifications' is required and must be a valid SubscriptionFilter");
      return;
    }
    if ((filter.resourceSubscriptions?.length ?? 0) > MAX_LISTEN_URIS) {
      this.record({ event: "subscription_refused", severity: "low", method: "subscriptions/listen", decision: "deny", layer: "gateway", reason: `${filter.resourceSubscriptions!.length} resourceSubscriptions (at most ${MAX_LISTEN_URIS} per listen)` });
      this.jsonError(res, id, -32602, `Invalid params: at most ${MAX_LISTEN_URIS} resourceSubscriptions per listen request`);
      return;
    }
    if (this.listenerCount >= MAX_LISTENERS) {
      this.record({ event: "subscription_refused", severity: "low", method: "subscriptions/listen", decision: "deny", layer: "gateway", reason: `subscription limit reached (${MAX_LISTENERS} per caller and server)` });
      this.jsonError(res, id, -32603, "Subscription limit reached");
      return;
    }
    // subscribe() reserves the slot synchronously, so concurrent listens cannot all pass the check above.
    const sub = await this.subscribe(filter, (msg.params as Record<string, unknown>)._meta);
    if (!sub || res.destroyed || res.writableEnded) {
      sub?.release();
      if (!res.headersSent && !res.destroyed) this.jsonError(res, id, -32603, `upstream "${this.opts.server.name}" went away`);
      return;
    }
    const stream = new ListenStream(res, id, sub.honored, this.opts.keepAliveMs);
    if (Object.keys(sub.honored).length === 0) {
      // Nothing the upstream can deliver: acknowledged empty, then closed (as the SDK's router does).
      sub.release();
      stream.end(true, sub.serverInfo);
      return;
    }
    sub.attach(stream);
    res.on("close", () => sub.release());
  }

  /**
   * The listen machinery without the HTTP response (used by `listen` and by `/mcp`'s merged listen):
   * the filter narrowed by the upstream's capabilities, each URI subscribed upstream (through the relay:
   * refused URIs are dropped). Undefined when the channel closed meanwhile (nothing stays subscribed).
   */
  async subscribe(filter: SubscriptionFilter, envelope: unknown): Promise<ChannelSubscription | undefined> {
    // The slot is taken before the first await: listens racing each other cannot exceed the limit.
    if (this.listenerCount >= MAX_LISTENERS) throw new ListenLimitError();
    this.touch();
    this.reserved++;
    let reserving = true;
    const unreserve = () => {
      if (!reserving) return;
      reserving = false;
      this.reserved--;
    };
    let init: Record<string, unknown>;
    try {
      init = await this.ready;
    } catch (e) {
      unreserve();
      throw e;
    }
    const honored = honoredSubset(filter, (init.capabilities ?? {}) as Record<string, unknown>);
    const uris = honored.resourceSubscriptions ?? [];
    const ok = await Promise.all(uris.map((u) => this.acquireUri(u, envelope)));
    const granted = uris.filter((_, i) => ok[i]);
    if (granted.length > 0) honored.resourceSubscriptions = granted;
    else delete honored.resourceSubscriptions;
    let released = false;
    let sink: ListenSink | undefined;
    const release = () => {
      if (released) return;
      released = true;
      this.touch(); // idle from the end of its last listen
      unreserve();
      if (sink) this.listeners.delete(sink);
      granted.forEach((u) => this.releaseUri(u, envelope));
    };
    if (this.closed) {
      release();
      return undefined;
    }
    return {
      honored, serverInfo: init.serverInfo, release,
      attach: (s) => {
        if (released || this.closed) return;
        unreserve();
        sink = s;
        this.listeners.add(s);
      },
    };
  }

  discover(): Promise<Record<string, unknown>> {
    return this.ready.then((init) => ({
      supportedVersions: [...MODERN_VERSIONS],
      capabilities: init.capabilities ?? {},
      resultType: "complete",
      ttlMs: 0,
      cacheScope: "private",
      _meta: { "io.modelcontextprotocol/serverInfo": init.serverInfo ?? { name: "portcullis", version: "0.1.0" } },
    }));
  }

  /** Gateway shutdown: listen streams end gracefully (the empty listen result), then the upstream stops. */
  close(): void {
    for (const l of this.listeners) l.end(true, this.init?.serverInfo);
    this.listeners.clear();
    this.upstream.stop(true);
  }

  private finishHandshake(text: string): void {
    const msg = JSON.parse(text) as { result?: Record<string, unknown>; error?: { message: string } };
    const h = this.handshake!;
    this.handshake = undefined;
    if (!msg.result) return h.reject(new Error(`upstream refused initialize: ${msg.error?.message ?? "no result"}`));
    this.upstream.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    this.init = msg.result;
    this.run.up();
    h.resolve(msg.result);
  }

  // ---- upstream -> client (after the relay) --------------------------------------------------

  private deliver(line: string): void {
    const msg = JSON.parse(line) as Record<string, unknown>;
    if (typeof msg.method === "string") {
      if ("id" in msg) this.serverRequest(msg);
      else this.serverNotification(msg);
      return;
    }
    const key = typeof msg.id === "string" ? msg.id : undefined;
    const cb = key !== undefined ? this.internal.get(key) : undefined;
    if (cb) {
      this.internal.delete(key!);
      cb(msg);
      return;
    }
    const w = key !== undefined ? this.waiting.get(key) : undefined;
    if (!w) {
      this.undelivered("response", `no client is waiting for it any more (id ${JSON.stringify(msg.id)})`);
      return;
    }
    if (!w.res) {
      w.buffered = msg; // parked behind an input_required answer: delivered on the retry
      return;
    }
    this.waiting.delete(key!);
    this.answer(w, w.res, msg);
  }

  private answer(w: Waiting, res: ServerResponse, msg: Record<string, unknown>): void {
    this.touch();
    msg.id = w.id;
    const result = msg.result as Record<string, unknown> | undefined;
    if (result?.resultType === "input_required") {
      // An approval asked of the client: pending up to ttl, then its session grants live up to ttl more.
      const ttl = approvalsFor(this.opts.pipeline)?.settings.ttlMs ?? 0;
      this.approvalsUntil = Math.max(this.approvalsUntil, Date.now() + 2 * ttl);
    }
    if (result) {
      result.resultType ??= "complete";
      // Private, uncached: what a caller may see depends on their policy and can change at any time.
      if (CACHEABLE.has(w.method)) {
        result.ttlMs ??= 0;
        result.cacheScope ??= "private";
      }
    }
    if (w.sse) {
      res.end(`event: message\ndata: ${JSON.stringify(msg)}\n\n`);
      return;
    }
    const err = msg.error as { code?: number } | undefined;
    // Modern-era HTTP maps "method not found" to 404; every other reply is 200 with its JSON-RPC body.
    const limited = httpStatusOf(msg);
    if (res.headersSent) {
      res.end();
      return;
    }
    res.writeHead(err?.code === -32601 ? 404 : limited.status, { "content-type": "application/json", ...limited.headers }).end(JSON.stringify(msg));
  }

  /** Writes a notification on a request's response, switching it to SSE first if need be. */
  private stream(w: Waiting, msg: Record<string, unknown>): boolean {
    const res = w.res;
    if (!res || !w.canStream || res.writableEnded || res.destroyed) return false;
    if (!w.sse) {
      if (res.headersSent) return false;
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      w.sse = true;
    }
    res.write(`event: message\ndata: ${JSON.stringify(msg)}\n\n`);
    return true;
  }

  private serverNotification(msg: Record<string, unknown>): void {
    const method = msg.method as string;
    const params = (typeof msg.params === "object" && msg.params !== null ? msg.params : {}) as Record<string, unknown>;
    if (method === "notifications/progress") {
      const token = params.progressToken;
      const w = typeof token === "string" ? this.waiting.get(token) : undefined;
      if (w && w.progressToken !== undefined && this.stream(w, { ...msg, params: { ...params, progressToken: w.progressToken } })) return;
      this.undelivered(method, w ? "its request's client does not accept an SSE response" : "it names no request in flight");
      return;
    }
    if (method === "notifications/message") {
      // Per-request logging (2026-07-28): to the requests in flight that asked for this level or lower.
      const level = LOG_LEVELS.indexOf(String(params.level));
      let sent = 0;
      for (const w of this.waiting.values()) {
        if (w.logLevel !== undefined && level >= LOG_LEVELS.indexOf(w.logLevel) && this.stream(w, msg)) sent++;
      }
      if (sent === 0) this.undelivered(method, "no request in flight asked for log messages at this level over SSE");
      return;
    }
    if (LISTEN_METHODS.has(method)) {
      let sent = 0;
      for (const l of this.listeners) {
        if (l.accepts(method, params)) {
          l.send(msg);
          sent++;
        }
      }
      if (sent === 0) this.undelivered(method, "no subscriptions/listen stream subscribed to it");
      return;
    }
    if (method === "notifications/cancelled") {
      // The upstream withdrew a request of its own that we asked of the client.
      for (const p of this.parked.values()) if (p.upstreamId === params.requestId) p.cancelled = true;
      return;
    }
    this.undelivered(method, "the stateless era has no channel for it");
  }

  /**
   * A server->client request from the (2025-era) upstream. 2026-07-28 has no server requests: it is
   * asked of the client as an `input_required` result on an in-flight request of a client that declared
   * the capability; the client's retry carries the answer. Without such a request it is refused.
   */
  private serverRequest(msg: Record<string, unknown>): void {
    const method = msg.method as string;
    const upstreamId = msg.id as JsonRpcId;
    if (method === "ping") {
      this.relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: upstreamId, result: {} }));
      return;
    }
    const cap = BRIDGED_REQUESTS[method];
    const carrier = cap === undefined ? undefined : [...this.waiting.entries()].reverse().find(([, w]) => w.res && !w.res.writableEnded && (w.sse || !w.res.headersSent) && isObject(w.capabilities[cap]));
    if (!carrier) {
      const why = cap === undefined
        ? `${method} has no 2026-07-28 equivalent`
        : `no request in flight from a client that declared the ${cap} capability could carry it`;
      this.refuseServerRequest(upstreamId, method, why);
      return;
    }
    const [internal, w] = carrier;
    const token = `${BRIDGE_STATE_PREFIX}${randomUUID()}`;
    const key = `portcullis_${cap}`;
    const timer = setTimeout(() => this.expire(token), this.opts.server.timeoutMs);
    timer.unref();
    this.parked.set(token, { upstreamId, method, key, carrier: internal, timer });
    const res = w.res!;
    w.res = undefined;
    this.record({ event: "server_request_bridged", severity: "info", method, decision: "relay", layer: "gateway", reason: `asked the client through an input_required result on its ${w.method} request`, details: { carrierMethod: w.method } });
    const inputRequired = { jsonrpc: "2.0", id: w.id, result: { resultType: "input_required", inputRequests: { [key]: { method, params: msg.params ?? {} } }, requestState: token } };
    if (w.sse) res.end(`event: message\ndata: ${JSON.stringify(inputRequired)}\n\n`);
    else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(inputRequired));
    w.sse = false;
  }

  /** The client's retry after an input_required we made: answer the upstream, re-attach the original request. */
  private resume(msg: Record<string, unknown>, params: Record<string, unknown>, res: ServerResponse, acceptsSse: boolean): void {
    const id = msg.id as JsonRpcId;
    const token = params.requestState as string;
    const p = this.parked.get(token);
    if (!p) {
      this.record({ event: "malformed_message", severity: "low", method: String(msg.method), decision: "deny", layer: "gateway", rule: "unknown-request-state", code: "INVALID_REQUEST", reason: "a retry carried a requestState this gateway does not hold (expired, used, or issued elsewhere)" });
      this.jsonError(res, id, -32602, "Portcullis does not hold this requestState (expired, already used, or issued by another gateway instance); send the request again without inputResponses/requestState.");
      return;
    }
    this.parked.delete(token);
    clearTimeout(p.timer);
    const responses = params.inputResponses;
    const answer = isObject(responses) ? (responses as Record<string, unknown>)[p.key] : undefined;
    if (!p.cancelled) {
      if (isObject(answer)) this.relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: p.upstreamId, result: answer }));
      else this.refuseServerRequest(p.upstreamId, p.method, "the client's retry did not answer it");
    }
    const w = this.waiting.get(p.carrier);
    if (!w) {
      this.jsonError(res, id, ERROR_CODES.UPSTREAM_UNAVAILABLE.rpc, `Portcullis forwarded the answer, but the original request is no longer pending (server "${this.opts.server.name}" finished or went away).`);
      return;
    }
    const meta = (isObject(params._meta) ? params._meta : {}) as Record<string, unknown>;
    w.res = res;
    w.id = id;
    w.sse = false;
    w.canStream = acceptsSse;
    w.capabilities = capsOf(meta);
    w.logLevel = typeof meta[LOG_LEVEL_META] === "string" ? meta[LOG_LEVEL_META] : w.logLevel;
    if (typeof meta.progressToken === "string" || typeof meta.progressToken === "number") w.progressToken = meta.progressToken;
    this.watchClose(p.carrier, res);
    if (w.buffered) {
      const reply = w.buffered;
      w.buffered = undefined;
      this.waiting.delete(p.carrier);
      this.answer(w, res, reply);
    }
  }

  /** The client never retried: refuse the upstream's request and forget the parked one. */
  private expire(token: string): void {
    const p = this.parked.get(token);
    if (!p) return;
    this.parked.delete(token);
    const w = this.waiting.get(p.carrier);
    if (w && !w.res) this.waiting.delete(p.carrier);
    if (!p.cancelled) this.refuseServerRequest(p.upstreamId, p.method, `the client did not answer the input_required result within ${this.opts.server.timeoutMs / 1000} s (timeout_s)`);
  }

  private refuseServerRequest(upstreamId: JsonRpcId, method: string, why: string): void {
    const code: ErrorCode = "CLIENT_INPUT_UNAVAILABLE";
    const reason = `Portcullis could not deliver ${method} to the client: ${why}.`;
    const auditId = this.record({ event: "server_request_refused", severity: "medium", method, decision: "deny", layer: "gateway", rule: "stateless-server-request", code, reason });
    this.relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: upstreamId, error: { code: ERROR_CODES[code].rpc, message: reason, data: { portcullis: { layer: "gateway", rule: "stateless-server-request", code, auditId } } } }));
  }

  // ---- resource subscriptions upstream ------------------------------------------------------

  private acquireUri(uri: string, envelope: unknown): Promise<boolean> {
    const ref = this.uriRefs.get(uri);
    if (ref) {
      ref.count++;
      return ref.ok;
    }
    const ok = this.ownRequest("resources/subscribe", { uri, ...(envelope !== undefined ? { _meta: envelope } : {}) }).then((reply) => {
      if (reply.result !== undefined) return true;
      const err = reply.error as { message?: string } | undefined;
      this.opts.log(`server "${this.opts.server.name}": resources/subscribe ${JSON.stringify(uri)} refused: ${err?.message ?? "no result"}`);
      this.record({ event: "subscription_refused", severity: "low", method: "resources/subscribe", decision: "deny", layer: "gateway", reason: `resources/subscribe refused: ${err?.message ?? "no result"}` });
      if (this.uriRefs.get(uri)?.ok === ok) this.uriRefs.delete(uri);
      return false;
    });
    this.uriRefs.set(uri, { count: 1, ok });
    return ok;
  }

  private releaseUri(uri: string, envelope: unknown): void {
    const ref = this.uriRefs.get(uri);
    if (!ref || --ref.count > 0) return;
    this.uriRefs.delete(uri);
    if (this.closed) return;
    void ref.ok.then((subscribed) => {
      if (subscribed && !this.closed && !this.uriRefs.has(uri)) void this.ownRequest("resources/unsubscribe", { uri, ...(envelope !== undefined ? { _meta: envelope } : {}) });
    });
  }

  /** A request of our own, through the relay (policy and audit apply); resolves with the reply. */
  private ownRequest(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = `s${++this.seq}`;
    return new Promise((resolve) => {
      this.internal.set(id, resolve);
      this.relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private watchClose(internal: string, res: ServerResponse): void {
    res.on("close", () => {
      const w = this.waiting.get(internal);
      if (w?.res === res) this.waiting.delete(internal);
    });
  }

  private jsonError(res: ServerResponse, id: JsonRpcId | null, code: number, message: string): void {
    if (res.headersSent) {
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } }));
  }

  /** Audited at most once per method per minute (with a count): a chatty server cannot flood the log. */
  private undelivered(method: string, why: string, from: "upstream" | "client" = "upstream"): void {
    this.undeliveredAudit.note(method, why, from);
  }

  private record(e: AuditEntry): string {
    return this.opts.audit.record({ session: this.state.id, caller: this.opts.caller, server: this.opts.server.name, ...e });
  }

  private shut(how: string, expected: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.stderr?.end();
    if (!expected) {
      this.opts.log(`stateless channel: upstream "${this.opts.server.name}" ${how}`);
      this.run.crashed(how, this.stderr?.tail() ?? []);
    } else this.run.stopped();
    this.handshake?.reject(new Error(`upstream ${how}`));
    this.relay.upstreamClosed(expected ? "was shut down" : how, expected);
    for (const p of this.parked.values()) clearTimeout(p.timer);
    this.parked.clear();
    // Parked requests can no longer complete: their retry gets an error from resume().
    for (const [k, w] of this.waiting) if (!w.res) this.waiting.delete(k);
    for (const cb of this.internal.values()) cb({ error: { message: `upstream ${how}` } });
    this.internal.clear();
    // An unexpected exit ends listen streams abruptly: the client sees a remote close and re-listens.
    for (const l of this.listeners) l.end(expected, this.init?.serverInfo);
    this.listeners.clear();
    this.undeliveredAudit.flush();
    this.opts.onClosed();
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function capsOf(meta: Record<string, unknown>): Record<string, unknown> {
  const c = meta[CAPS_META];
  return isObject(c) ? c : {};
}
