import type { ServerResponse } from "node:http";
import type { AuditLog } from "../../audit/audit-record.js";
import type { ServerPolicy } from "../../config/server-policy.js";
import type { Pipeline } from "../../pipeline/pipeline.js";
import { SessionState, type Principal } from "../../pipeline/session-state.js";
import { auditedLine } from "../../proxy/audited-line.js";
import { MessageRelay } from "../../proxy/message-relay.js";
import { approvalsFor } from "../../approvals/broker-registry.js";
import type { JsonRpcId } from "../../protocol/json-rpc.js";
import { openUpstream, type Upstream } from "../open-upstream.js";
import { httpStatusOf } from "./rate-limit-status.js";

export const MODERN_VERSIONS = ["2026-07-28"] as const;
const HANDSHAKE_ID = "portcullis-handshake";

interface Waiting {
  res: ServerResponse;
  id: JsonRpcId;
  method: string;
}

/** 2026-07-28 results that must carry cache hints (SEP-2549); 2025-era upstreams never send them. */
const CACHEABLE = new Set(["tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read"]);

/**
 * Stateless-era (2026-07-28) serving for one server and one caller: a shared upstream the gateway
 * itself initialises (so 2025-era servers can be bridged), request ids remapped so concurrent HTTP
 * requests cannot collide, `server/discover` answered from the upstream's capabilities, and
 * `resultType: "complete"` added to results that lack it. The caller is the session (SPEC).
 */
export class ModernChannel {
  readonly state: SessionState;
  private readonly relay: MessageRelay;
  private readonly upstream: Upstream;
  private readonly waiting = new Map<string, Waiting>();
  private seq = 0;
  private handshake?: { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void };
  readonly ready: Promise<Record<string, unknown>>;
  closed = false;

  constructor(opts: { server: ServerPolicy; command?: readonly string[]; pipeline: Pipeline; audit: AuditLog; principal?: Principal; caller?: string; log: (l: string) => void; onClosed: () => void }) {
    this.state = new SessionState(`m_${Math.random().toString(16).slice(2, 10)}`);
    this.state.principal = opts.principal;
    this.state.caller = opts.caller;
    this.ready = new Promise((resolve, reject) => (this.handshake = { resolve, reject }));
    this.ready.catch(() => {}); // observed by callers; never an unhandled rejection
    this.upstream = openUpstream(opts.server, { command: opts.command }, {
      line: (text, bytes) => {
        if (this.handshake && text.includes(HANDSHAKE_ID)) return this.finishHandshake(text);
        this.relay.fromUpstream(text, bytes);
      },
      oversize: (id, bytes) => this.relay.rejectUpstreamFrame(id, bytes),
      invalidUtf8: (id, bytes) => this.relay.rejectUpstreamFrame(id, bytes, "invalid-utf8"),
      failed: (e) => this.shut(`could not be started (${e.message})`, false, opts),
      closed: (how, _c, expected) => this.shut(how, expected, opts),
    });
    this.relay = new MessageRelay({
      server: opts.server, pipeline: opts.pipeline, audit: opts.audit, session: this.state, caller: opts.caller, log: opts.log, approvals: approvalsFor(opts.pipeline),
      endpoints: { toClient: (l, unaudited) => this.deliver(auditedLine(opts.audit, l, unaudited)), toUpstream: (l) => this.upstream.write(l) },
    });
    this.upstream.write(JSON.stringify({ jsonrpc: "2.0", id: HANDSHAKE_ID, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "portcullis-gateway", version: "0.1.0" } } }));
  }

  /** One modern request; `res` is answered with JSON when its reply arrives. */
  request(msg: Record<string, unknown>, res: ServerResponse): void {
    const internal = `g${++this.seq}`;
    this.waiting.set(internal, { res, id: msg.id as JsonRpcId, method: String(msg.method) });
    res.on("close", () => this.waiting.delete(internal));
    this.relay.fromClient(JSON.stringify({ ...msg, id: internal }));
  }

  notify(raw: string): void {
    this.relay.fromClient(raw);
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

  close(): void {
    this.upstream.stop(true);
  }

  private finishHandshake(text: string): void {
    const msg = JSON.parse(text) as { result?: Record<string, unknown>; error?: { message: string } };
    const h = this.handshake!;
    this.handshake = undefined;
    if (!msg.result) return h.reject(new Error(`upstream refused initialize: ${msg.error?.message ?? "no result"}`));
    this.upstream.write(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
    h.resolve(msg.result);
  }

  private deliver(line: string): void {
    const msg = JSON.parse(line) as Record<string, unknown>;
    if ("method" in msg || typeof msg.id !== "string") return; // no stream in the stateless era yet: server messages are dropped
    const w = this.waiting.get(msg.id);
    if (!w) return;
    this.waiting.delete(msg.id);
    msg.id = w.id;
    const result = msg.result as Record<string, unknown> | undefined;
    if (result) {
      result.resultType ??= "complete";
      // Private, uncached: what a caller may see depends on their policy and can change at any time.
      if (CACHEABLE.has(w.method)) {
        result.ttlMs ??= 0;
        result.cacheScope ??= "private";
      }
    }
    const err = msg.error as { code?: number } | undefined;
    // Modern-era HTTP maps "method not found" to 404; every other reply is 200 with its JSON-RPC body.
    const limited = httpStatusOf(msg);
    w.res.writeHead(err?.code === -32601 ? 404 : limited.status, { "content-type": "application/json", ...limited.headers }).end(JSON.stringify(msg));
  }

  private shut(how: string, expected: boolean, opts: { log: (l: string) => void; onClosed: () => void }): void {
    if (this.closed) return;
    this.closed = true;
    if (!expected) opts.log(`stateless channel: upstream ${how}`);
    this.handshake?.reject(new Error(`upstream ${how}`));
    this.relay.upstreamClosed(expected ? "was shut down" : how, expected);
    opts.onClosed();
  }
}
