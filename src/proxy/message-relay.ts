import type { AuditEntry, AuditLog } from "../audit/audit-record.js";
import { summariseResult, type ResultAuditOptions } from "../audit/result-summary.js";
import { auditArguments } from "../audit/sensitivity.js";
import { redactValue } from "../layers/redaction/redact-value.js";
import type { ServerPolicy } from "../config/server-policy.js";
import type { ErrorCode } from "../errors/error-codes.js";
import { deny, type DenyDecision } from "../pipeline/decision.js";
import type { LayerContext } from "../pipeline/layer.js";
import type { Pipeline } from "../pipeline/pipeline.js";
import type { Outcome } from "../pipeline/run-chain.js";
import { SessionState } from "../pipeline/session-state.js";
import { modernEnvelope } from "../protocol/era.js";
import { classifyMessage, idOf, type JsonRpcId, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse } from "../protocol/json-rpc.js";
import { toolNameOf } from "../protocol/tool-list.js";
import type { ApprovalBroker } from "../approvals/approval-broker.js";
import { denialResponse } from "./denial.js";
import { HeldCalls } from "./held-calls.js";
import { PendingRequests, type PendingRequest } from "./pending-requests.js";

/** Where the relay sends serialized messages (one JSON text each, no newline). */
export interface RelayEndpoints {
  /**
   * One message for the client. `unaudited`, when given, is the reply to send instead if the audit
   * line describing this one cannot be written: endpoints flush the audit log before writing and
   * swap such messages when that flush failed (write-ahead, one flush per batch).
   */
  toClient(line: string, unaudited?: () => string): void;
  toUpstream(line: string): void;
}

export interface RelayOptions {
  server: ServerPolicy;
  pipeline: Pipeline;
  audit: AuditLog;
  endpoints: RelayEndpoints;
  session?: SessionState;
  /** Hashed caller identity for audit lines. */
  caller?: string;
  /** Diagnostics for the operator (stderr in `wrap`). */
  log?: (line: string) => void;
  /**
   * Settles held `tools/call`s with a person (elicitation, web page, CLI, webhook). Without it a
   * hold is refused at once with APPROVAL_REQUIRED (fail closed).
   */
  approvals?: ApprovalBroker;
}

/**
 * Enforcement: takes raw messages from both sides, runs the pipeline, and acts on its decisions.
 * Everything no layer inspects is relayed as the original text, ids and `_meta` intact. Every
 * denial is answered exactly once and audited. Transport-independent: `wrap` feeds it stdio lines,
 * the HTTP gateway feeds it request bodies, and the in-process guard feeds it SDK messages.
 */
export class MessageRelay {
  readonly session: SessionState;
  private readonly server: ServerPolicy;
  private readonly pipeline: Pipeline;
  private readonly audit: AuditLog;
  private readonly out: RelayEndpoints;
  private readonly ctx: LayerContext;
  private readonly caller?: string;
  private readonly log: (line: string) => void;
  private readonly pending = new PendingRequests((p) => this.timedOut(p));
  private readonly approvals?: ApprovalBroker;
  /** Held calls waiting for a person, and our own requests to the client (elicitation). */
  private readonly held = new HeldCalls();
  /** Capabilities the client declared in `initialize` (legacy era). */
  private clientCapabilities?: Record<string, unknown>;
  private internalSeq = 0;
  private readonly internalPrefix = `portcullis-${process.pid}-${Date.now().toString(36)}-`;
  private catalogFetch?: Promise<void>;
  private clientInitialized = false;
  private closed = false;

  constructor(opts: RelayOptions) {
    this.server = opts.server;
    this.pipeline = opts.pipeline;
    this.audit = opts.audit;
    this.out = opts.endpoints;
    this.session = opts.session ?? new SessionState();
    this.caller = opts.caller;
    this.log = opts.log ?? (() => {});
    this.approvals = opts.approvals;
    this.ctx = { server: this.server, session: this.session };
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  // ---- client -> upstream ------------------------------------------------------------------

  fromClient(raw: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch (e) {
      this.rejectClient(null, undefined, "PARSE_ERROR", "malformed-json", `Portcullis could not parse the message as JSON (${(e as Error).message}); it was not forwarded.`, "malformed_message");
      return;
    }
    try {
      if (Array.isArray(msg)) {
        // JSON-RPC batches (protocol 2025-03-26): judge each element on its own; replies come back singly.
        if (msg.length === 0) this.rejectClient(null, undefined, "INVALID_REQUEST", "empty-batch", "An empty JSON-RPC batch is not a valid message.", "malformed_message");
        for (const el of msg) this.fromClientMessage(el, JSON.stringify(el));
        return;
      }
      this.fromClientMessage(msg, raw);
    } catch (e) {
      // Input we cannot process (e.g. nesting too deep to re-serialise) is refused, never fatal.
      this.rejectClient(idOf(msg), undefined, "INVALID_REQUEST", "unprocessable", `Portcullis could not process the message (${(e as Error).message}); it was not forwarded.`, "malformed_message");
    }
  }

  /** The framing layer saw a client message that is too large or not UTF-8; `id` if it could be recovered. */
  rejectClientFrame(id: JsonRpcId | null, code: "MESSAGE_TOO_LARGE" | "INVALID_UTF8", bytes: number): void {
    const reason = code === "MESSAGE_TOO_LARGE"
      ? `Portcullis refused a ${bytes}-byte message: the limit is ${this.server.maxRequestBytes} bytes (max_request_kb).`
      : "Portcullis refused a message that is not valid UTF-8; it was not forwarded.";
    this.rejectClient(id, undefined, code, code === "MESSAGE_TOO_LARGE" ? "max-request-size" : "invalid-utf8", reason, "malformed_message");
  }

  private fromClientMessage(msg: unknown, raw: string): void {
    switch (classifyMessage(msg)) {
      case "request":
        this.clientRequest(msg as JsonRpcRequest, raw);
        return;
      case "notification": {
        const n = msg as JsonRpcNotification;
        if (n.method === "notifications/initialized") this.clientInitialized = true;
        else if (n.method === "notifications/cancelled") this.clientCancelled(n);
        this.out.toUpstream(raw);
        return;
      }
      case "response":
        // Our own elicitation/create (approval) is answered here, not upstream.
        if (this.held.asks > 0 && this.held.answer(msg as JsonRpcResponse)) return;
        // A reply to a server-initiated request (sampling, elicitation, roots): relay untouched.
        this.out.toUpstream(raw);
        return;
      default:
        this.rejectClient(idOf(msg), undefined, "INVALID_REQUEST", "not-json-rpc", "Portcullis refused a message that is not a JSON-RPC 2.0 request, notification or response; it was not forwarded.", "malformed_message");
    }
  }

  private clientRequest(req: JsonRpcRequest, raw: string): void {
    if (this.closed) {
      this.rejectClient(req.id, req.method, "UPSTREAM_UNAVAILABLE", "upstream-closed", "Portcullis cannot forward this request: the upstream server has exited.", "upstream_error");
      return;
    }
    if (this.pending.has(req.id) || (this.held.size > 0 && this.held.has(req.id))) {
      this.rejectClient(req.id, req.method, "INVALID_REQUEST", "duplicate-id", `Portcullis refused a request reusing id ${JSON.stringify(req.id)} while an earlier request with that id is still pending.`, "malformed_message");
      return;
    }
    this.noteEra(req);
    if (!this.audit.healthy && req.method === "tools/call") {
      // Fail closed: a call we cannot record is a call we do not make.
      this.rejectClient(req.id, req.method, "AUDIT_UNAVAILABLE", "audit-unavailable", "Portcullis refused the call: the audit log cannot be written (disk full or read-only?). Fix the audit path and restart.", "audit_failure");
      return;
    }
    if (!this.pipeline.inspectsRequest(req.method)) {
      this.forward(req, raw);
      return;
    }
    const tool = req.method === "tools/call" ? toolNameOf(req.params) : undefined;
    // Judge against current definitions: learn the catalog when the tool is unknown, and re-learn it
    // after the upstream announced a change (a rug pull must not slip through on the old definition).
    const catalog = this.session.tools;
    if (tool !== undefined && ((!catalog.get(tool) && !catalog.complete) || catalog.stale) && this.canFetchCatalog()) {
      // The policy needs the tool's definition (annotations, existence): learn it, then judge.
      this.fetchCatalog().then(() => this.judge(req, raw), (e: unknown) => this.judge(req, raw, e));
      return;
    }
    this.judge(req, raw);
  }

  private judge(req: JsonRpcRequest, raw: string, fetchError?: unknown): void {
    if (fetchError) this.log(`could not list upstream tools: ${String(fetchError)}`);
    if (fetchError && this.session.tools.stale) {
      // Fail closed: the server announced new definitions and we could not see them.
      this.denyRequest(req, "relay", deny("LAYER_FAILED", "catalog-refresh", `Portcullis refused \`${toolNameOf(req.params) ?? req.method}\`: server "${this.server.name}" announced changed tools and they could not be listed again (${String(fetchError)}); retry once it answers tools/list.`, { severity: "high", event: "layer_error" }));
      return;
    }
    const outcome = this.pipeline.onRequest(req, this.ctx);
    if (outcome instanceof Promise) outcome.then((o) => this.actOnRequest(req, raw, o));
    else this.actOnRequest(req, raw, outcome);
  }

  private actOnRequest(req: JsonRpcRequest, raw: string, o: Outcome): void {
    if (o.kind === "deny") {
      this.denyRequest(req, o.layer, o.decision);
      return;
    }
    if (o.kind === "hold") {
      if (this.approvals && req.method === "tools/call" && toolNameOf(req.params) !== undefined) {
        this.holdForApproval(req, raw, o, this.approvals);
        return;
      }
      // No approval channel is wired into this relay: an unanswered approval is a denial.
      const h = o.holds[0]!;
      this.denyRequest(req, h.layer, deny("APPROVAL_REQUIRED", h.decision.rule, `Portcullis blocked \`${toolNameOf(req.params) ?? req.method}\`: needs approval (${h.decision.reason}), and no approval channel is configured. Allow it in policy (\`approval: never\`) or use an approval channel.`, { event: "approval_denied", severity: "medium" }));
      return;
    }
    if (this.closed) return;
    for (const c of o.changes) this.auditChange(req, c.layer, c.decision);
    this.pipeline.forwarded(req, this.ctx);
    // Forward what was judged, not the original bytes: a duplicate key ({"name":"a","name":"b"}) must
    // not let an upstream whose parser keeps the first value run something other than what passed.
    this.forward(req, JSON.stringify(o.message ?? req));
  }

  /**
   * A held `tools/call`: the broker asks a person (eliciting through this relay when the client can
   * answer), then the call is forwarded as it would have been, or refused naming the approval id.
   */
  private holdForApproval(req: JsonRpcRequest, raw: string, o: Extract<Outcome, { kind: "hold" }>, broker: ApprovalBroker): void {
    const h = o.holds[0]!;
    const message = (o.message ?? req) as unknown as JsonRpcRequest;
    const params = (message.params ?? {}) as Record<string, unknown>;
    const tool = toolNameOf(req.params)!;
    const modern = modernEnvelope(req);
    const caps = (modern ? modern["io.modelcontextprotocol/clientCapabilities"] : this.clientCapabilities) as Record<string, unknown> | undefined;
    const canElicit = typeof caps === "object" && caps !== null && typeof caps.elicitation === "object" && caps.elicitation !== null;
    const signal = this.held.hold(req);
    const reach = modern
      ? { inputRequired: canElicit }
      : { elicit: canElicit ? (p: Record<string, unknown>, s: AbortSignal) => this.elicit(p, s) : undefined };
    broker.settle({ session: this.session.id, server: this.server, caller: this.caller, tool, arguments: params.arguments, params, layer: h.layer, rule: h.decision.rule, reason: h.decision.reason }, reach, signal).then((st) => {
      if (!this.held.release(req.id)) return; // cancelled by the client, or answered when the upstream closed
      if (st.kind === "input_required") {
        this.record({ event: "approval_elicited", severity: "info", method: req.method, tool, decision: "hold", layer: h.layer, rule: h.decision.rule, reason: `asked the client to approve (${st.approvalId})`, details: { approvalId: st.approvalId } });
        this.out.toClient(JSON.stringify({ jsonrpc: "2.0", id: req.id, result: st.result }));
        return;
      }
      if (st.kind === "denied") {
        this.denyRequest(req, st.code === "STORE_UNAVAILABLE" ? "approval" : h.layer, deny(st.code ?? "APPROVAL_REQUIRED", st.rule, st.reason, { event: st.code === "STORE_UNAVAILABLE" ? "store_unavailable" : "approval_denied", severity: "medium", details: st.approvalId ? { approvalId: st.approvalId } : undefined }));
        return;
      }
      if (this.closed) return;
      for (const c of o.changes) this.auditChange(req, c.layer, c.decision);
      this.pipeline.forwarded(req, this.ctx);
      // The retry channel (inputResponses, requestState) is ours: the upstream sees the original call.
      if (params.inputResponses !== undefined || params.requestState !== undefined) {
        const { inputResponses: _r, requestState: _s, ...rest } = params;
        this.forward(req, JSON.stringify({ ...message, params: rest }));
      } else this.forward(req, o.message ? JSON.stringify(o.message) : raw);
    }, (e: unknown) => {
      if (!this.held.release(req.id)) return;
      this.denyRequest(req, "approval", deny("APPROVAL_REQUIRED", h.decision.rule, `Portcullis blocked \`${tool}\`: needs approval, and asking for it failed (${(e as Error).message}).`, { event: "approval_denied", severity: "medium" }));
    });
  }

  /** Sends `elicitation/create` to the client (2025-11-25) and resolves with its result. */
  private elicit(params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown> | undefined> {
    const id = `${this.internalPrefix}elicit-${++this.internalSeq}`;
    return new Promise((resolve) => {
      const done = this.held.ask(id, (res) => resolve(res?.result as Record<string, unknown> | undefined));
      signal.addEventListener("abort", () => {
        if (done()) {
          this.out.toClient(JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id, reason: "Portcullis: approval timed out" } }));
          resolve(undefined);
        }
      }, { once: true });
      this.out.toClient(JSON.stringify({ jsonrpc: "2.0", id, method: "elicitation/create", params }));
    });
  }

  private forward(req: JsonRpcRequest, line: string): void {
    this.track(req);
    this.out.toUpstream(line);
  }

  private track(req: JsonRpcRequest, internal?: PendingRequest["internal"]): void {
    const started = performance.now();
    this.pending.add({ id: req.id, req, started, deadline: started + timerDelay(this.server.timeoutMs), internal });
  }

  private clientCancelled(n: JsonRpcNotification): void {
    const id = n.params?.requestId;
    if (typeof id === "string" || typeof id === "number") {
      this.pending.take(id);
      if (this.held.size > 0) this.held.cancel(id);
    }
  }

  private noteEra(req: JsonRpcRequest): void {
    if (req.method === "initialize") {
      this.session.era = "legacy";
      const v = req.params?.protocolVersion;
      if (typeof v === "string") this.session.protocolVersion = v;
      const caps = req.params?.capabilities;
      if (typeof caps === "object" && caps !== null) this.clientCapabilities = caps as Record<string, unknown>;
      return;
    }
    if (this.session.era !== "legacy") {
      const env = modernEnvelope(req);
      if (env) {
        this.session.era = "modern";
        this.session.modernMeta = env;
        this.session.protocolVersion = env["io.modelcontextprotocol/protocolVersion"] as string;
      }
    }
  }

  // ---- upstream -> client ------------------------------------------------------------------

  /** One message from the upstream; `bytes` is its size on the wire when the caller knows it. */
  fromUpstream(raw: string, bytes?: number): void {
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch {
      this.upstreamGarbage(raw, "not JSON");
      return;
    }
    try {
      if (Array.isArray(msg)) {
        for (const el of msg) this.fromUpstreamMessage(el, JSON.stringify(el), 0);
        return;
      }
      this.fromUpstreamMessage(msg, raw, bytes ?? Buffer.byteLength(raw));
    } catch (e) {
      this.upstreamGarbage(raw, `unprocessable (${(e as Error).message})`);
    }
  }

  /**
   * The framing layer dropped an upstream message: over the size limit, or not UTF-8. Answer its
   * request if we can tell which one it was; otherwise it will time out.
   */
  rejectUpstreamFrame(id: JsonRpcId | null, bytes: number, why: "too-large" | "invalid-utf8" = "too-large"): void {
    const p = id !== null ? this.pending.take(id) : undefined;
    const d = why === "too-large"
      ? deny("RESPONSE_TOO_LARGE", "max-response-size", `Portcullis withheld a ${bytes}-byte reply from server "${this.server.name}": the limit is ${this.server.maxResponseBytes} bytes (max_response_kb).`, { severity: "medium", event: "response_blocked" })
      : deny("UPSTREAM_MALFORMED", "invalid-utf8", `Portcullis dropped a reply from server "${this.server.name}" that is not valid UTF-8.`, { severity: "medium", event: "upstream_malformed" });
    if (p && !p.internal) {
      this.denyRequest(p.req, "size-limit", d);
      return;
    }
    p?.internal?.(undefined);
    this.record({ event: d.event!, severity: "medium", decision: "deny", layer: "size-limit", rule: d.rule, code: d.code, reason: d.reason, result_bytes: bytes });
  }

  private fromUpstreamMessage(msg: unknown, raw: string, bytes: number): void {
    switch (classifyMessage(msg)) {
      case "response":
        this.upstreamResponse(msg as JsonRpcResponse, raw, bytes || Buffer.byteLength(raw));
        return;
      case "notification": {
        const n = msg as JsonRpcNotification;
        if (n.method === "notifications/tools/list_changed") {
          this.session.tools.complete = false;
          this.session.tools.stale = true;
        }
        this.serverMessage(n, raw);
        return;
      }
      case "request":
        this.serverMessage(msg as JsonRpcRequest, raw);
        return;
      default:
        this.upstreamGarbage(raw, "not a JSON-RPC 2.0 message");
    }
  }

  private upstreamResponse(res: JsonRpcResponse, raw: string, bytes: number): void {
    const p = res.id === null ? undefined : this.pending.take(res.id);
    if (!p) {
      this.record({ event: "unsolicited_response", severity: "medium", decision: "deny", layer: "relay", rule: "unknown-id", code: "UPSTREAM_MALFORMED", reason: `upstream answered id ${JSON.stringify(res.id)}, which no pending request has; dropped` });
      return;
    }
    if (p.internal) {
      p.internal(res);
      return;
    }
    const req = p.req;
    const latency = performance.now() - p.started;
    if (bytes > this.server.maxResponseBytes) {
      this.denyRequest(req, "size-limit", deny("RESPONSE_TOO_LARGE", "max-response-size", `Portcullis withheld a ${bytes}-byte reply from server "${this.server.name}": the limit is ${this.server.maxResponseBytes} bytes (max_response_kb).`, { severity: "medium", event: "response_blocked" }));
      return;
    }
    if (req.method === "tools/list" && res.result && Array.isArray(res.result.tools)) {
      this.session.tools.observe(res.result.tools, req.params?.cursor === undefined, res.result.nextCursor === undefined);
    }
    if (!this.pipeline.inspectsResponse(req.method)) {
      this.deliver(req, res, raw, bytes, latency);
      return;
    }
    const outcome = this.pipeline.onResponse(res, req, this.ctx);
    const act = (o: Outcome) => {
      if (o.kind === "deny") this.denyRequest(req, o.layer, o.decision);
      else {
        for (const c of o.changes) this.auditChange(req, c.layer, c.decision);
        // A response cannot wait for a human: a hold on a reply withholds it.
        if (o.kind === "hold") this.denyRequest(req, o.holds[0]!.layer, deny("APPROVAL_REQUIRED", o.holds[0]!.decision.rule, `Portcullis withheld the reply: ${o.holds[0]!.decision.reason}.`));
        // Re-serialised like requests: the client sees exactly what the layers inspected.
        else this.deliver(req, (o.message as unknown as JsonRpcResponse) ?? res, JSON.stringify(o.message ?? res), bytes, latency);
      }
    };
    if (outcome instanceof Promise) outcome.then(act);
    else act(outcome);
  }

  private deliver(req: JsonRpcRequest, res: JsonRpcResponse, line: string, bytes: number, latency: number): void {
    if (req.method === "tools/call" && this.server.audit.allCalls) {
      this.recordToolCall(req, res, bytes, latency);
      // Write-ahead: the endpoint flushes the audit log before writing this result and sends this
      // refusal instead if that fails, so a result never leaves without its audit line on disk.
      this.out.toClient(line, () => JSON.stringify(denialResponse(req.id, req.method, "Portcullis withheld the result: the audit log cannot be written (disk full or read-only?). Fix the audit path; calls resume once it can be written.", { layer: "relay", rule: "audit-unavailable", code: "AUDIT_UNAVAILABLE", auditId: "au_unrecorded" }, false)));
      return;
    }
    this.out.toClient(line);
  }

  /** The `tool_call` line of an answered call: written out in full, as `record` would build it (no spread copy on the hot path). */
  private recordToolCall(req: JsonRpcRequest, res: JsonRpcResponse, bytes: number, latency: number): void {
    const s = this.server;
    const tool = toolNameOf(req.params);
    const isError = res.error !== undefined || res.result?.isError === true;
    this.audit.record({
      session: this.session.id, caller: this.caller, server: s.name,
      event: "tool_call", severity: "info", method: req.method, tool, args: auditArguments(req.params?.arguments, this.payloadOptions(tool)),
      decision: "allow", ok: !isError, error: res.error && !s.audit.zdr ? redactValue(res.error.message, s.redaction) : undefined, result_bytes: bytes, latency_ms: Math.round(latency * 1000) / 1000,
      result: summariseResult(res.result ?? res.error, bytes, this.payloadOptions(tool, s.audit.results)),
    });
  }

  private serverMessage(msg: JsonRpcRequest | JsonRpcNotification, raw: string): void {
    const layers = this.pipeline.serverMessageLayers(msg.method);
    if (layers.length === 0) {
      this.out.toClient(raw);
      return;
    }
    const act = (o: Outcome) => {
      for (const c of o.changes) this.auditChange(msg as JsonRpcRequest, c.layer, c.decision);
      if (o.kind === "allow") this.out.toClient(o.message ? JSON.stringify(o.message) : raw);
      else {
        const d = o.kind === "deny" ? o.decision : deny("APPROVAL_REQUIRED", o.holds[0]!.decision.rule, o.holds[0]!.decision.reason);
        if (d.flags) for (const f of d.flags) this.session.flags.add(f);
        const auditId = this.record({ event: d.event ?? "access_denied", severity: d.severity ?? "medium", method: msg.method, decision: "deny", layer: o.kind === "deny" ? o.layer : o.holds[0]!.layer, rule: d.rule, code: d.code, reason: d.reason });
        // A refused server->client request still gets an answer, so the upstream does not hang.
        if ("id" in msg) this.out.toUpstream(JSON.stringify(denialResponse(msg.id, msg.method, d.reason, { layer: o.kind === "deny" ? o.layer : "approval", rule: d.rule, code: d.code, auditId }, false)));
      }
    };
    const outcome = this.pipeline.onServerMessage(msg, this.ctx);
    if (outcome instanceof Promise) outcome.then(act);
    else act(outcome);
  }

  private upstreamGarbage(raw: string, why: string): void {
    // Zero data retention covers the operator log too: say what happened, not what it carried.
    this.log(`upstream "${this.server.name}" sent a message that is ${why}; dropped${this.server.audit.zdr ? "" : `: ${JSON.stringify(raw.slice(0, 120))}`}`);
    this.record({ event: "upstream_malformed", severity: "medium", decision: "deny", layer: "relay", rule: "malformed-upstream", code: "UPSTREAM_MALFORMED", reason: `upstream sent a message that is ${why}; dropped`, result_bytes: Buffer.byteLength(raw) });
  }

  // ---- failures ----------------------------------------------------------------------------

  private timedOut(p: PendingRequest): void {
    const id = p.id;
    if (p.internal) {
      p.internal(undefined);
      return;
    }
    // Tell the upstream to stop working on it; its late reply will be dropped as unsolicited.
    this.out.toUpstream(JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id, reason: "Portcullis: timed out" } }));
    this.denyRequest(p.req, "timeout", deny("UPSTREAM_TIMEOUT", "timeout", `Portcullis gave up on \`${toolNameOf(p.req.params) ?? p.req.method}\`: server "${this.server.name}" did not answer within ${this.server.timeoutMs / 1000} s (timeout_s).`, { severity: "medium", event: "upstream_timeout" }), true);
  }

  /** The upstream is gone: every pending request gets a clear error, later ones too. */
  upstreamClosed(why: string, expected = false): void {
    if (this.closed) return;
    this.closed = true;
    if (expected) this.record({ event: "upstream_stopped", severity: "info", reason: why });
    else this.record({ event: "upstream_exit", severity: "high", decision: "deny", layer: "relay", code: "UPSTREAM_UNAVAILABLE", reason: why });
    for (const req of this.held.drain()) {
      this.denyRequest(req, "relay", deny("UPSTREAM_UNAVAILABLE", "upstream-exit", `Portcullis could not complete \`${toolNameOf(req.params) ?? req.method}\`: server "${this.server.name}" ${why}.`, { severity: "high", event: "upstream_error" }), true);
    }
    for (const p of this.pending.drain()) {
      if (p.internal) p.internal(undefined);
      else this.denyRequest(p.req, "relay", deny("UPSTREAM_UNAVAILABLE", "upstream-exit", `Portcullis could not complete \`${toolNameOf(p.req.params) ?? p.req.method}\`: server "${this.server.name}" ${why}.`, { severity: "high", event: "upstream_error" }), true);
    }
  }

  // ---- catalog -----------------------------------------------------------------------------

  private canFetchCatalog(): boolean {
    return this.session.era === "modern" || (this.session.era === "legacy" && this.clientInitialized);
  }

  /** Lists the upstream's tools (all pages) with requests of our own; single-flight. */
  private fetchCatalog(): Promise<void> {
    this.catalogFetch ??= (async () => {
      let cursor: string | undefined;
      let first = true;
      for (let page = 0; page < 100; page++) {
        const params: Record<string, unknown> = {};
        if (cursor !== undefined) params.cursor = cursor;
        if (this.session.era === "modern" && this.session.modernMeta) params._meta = this.session.modernMeta;
        const req: JsonRpcRequest = { jsonrpc: "2.0", id: this.internalPrefix + ++this.internalSeq, method: "tools/list", params };
        const res = await new Promise<JsonRpcResponse | undefined>((resolve) => {
          this.track(req, resolve);
          this.out.toUpstream(JSON.stringify(req));
        });
        const tools = res?.result?.tools;
        if (!res || !Array.isArray(tools)) throw new Error(res?.error?.message ?? "no tools/list reply");
        const next = res.result!.nextCursor;
        this.session.tools.observe(tools, first, typeof next !== "string");
        first = false;
        if (typeof next !== "string") return;
        cursor = next;
      }
    })().finally(() => (this.catalogFetch = undefined));
    return this.catalogFetch;
  }

  // ---- answering and auditing --------------------------------------------------------------

  private denyRequest(req: JsonRpcRequest, layer: string, d: DenyDecision, upstreamFault = false): void {
    if (d.flags) for (const f of d.flags) this.session.flags.add(f);
    const tool = req.method === "tools/call" ? toolNameOf(req.params) : undefined;
    const auditId = this.record({
      event: d.event ?? "access_denied", severity: d.severity ?? (upstreamFault ? "high" : "medium"), method: req.method, tool,
      args: tool !== undefined ? this.auditArgs(req) : undefined, decision: "deny", layer, rule: d.rule, code: d.code, reason: d.reason, details: d.details,
    });
    const retryAfterMs = typeof d.details?.retryAfterMs === "number" ? d.details.retryAfterMs : undefined;
    this.out.toClient(JSON.stringify(denialResponse(req.id, req.method, d.reason, { layer, rule: d.rule, code: d.code, auditId, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }, modernEnvelope(req) !== undefined)));
  }

  private rejectClient(id: JsonRpcId | null, method: string | undefined, code: ErrorCode, rule: string, reason: string, event: string): void {
    const auditId = this.record({ event, severity: "low", method, decision: "deny", layer: "relay", rule, code, reason });
    this.out.toClient(JSON.stringify(denialResponse(id, method, reason, { layer: "relay", rule, code, auditId }, false)));
  }

  private auditChange(req: JsonRpcRequest, layer: string, d: { rule: string; reason: string; event: string; severity?: AuditEntry["severity"]; details?: Record<string, unknown>; flags?: readonly string[] }): void {
    if (d.flags) for (const f of d.flags) this.session.flags.add(f);
    this.record({ event: d.event, severity: d.severity ?? "info", method: req.method, tool: toolNameOf(req.params), decision: "modify", layer, rule: d.rule, reason: d.reason, details: d.details });
  }

  /** Arguments as the tool's sensitivity allows; secrets masked by key and redacted by value. */
  private auditArgs(req: JsonRpcRequest): unknown {
    return auditArguments(req.params?.arguments, this.payloadOptions(toolNameOf(req.params)));
  }

  private payloadOptions(tool: string | undefined, store?: ResultAuditOptions["store"]): ResultAuditOptions {
    const s = this.server;
    return {
      sensitivity: (tool !== undefined ? s.tools.policies[tool]?.sensitivity : undefined) ?? s.audit.sensitivity,
      zdr: s.audit.zdr,
      secretKeys: s.redaction.keys,
      redactString: this.redactString,
      store,
    };
  }

  /** Secret redactor for audited free text: one function for the relay's life (it reads the policy at each call). */
  private readonly redactString = (v: string): string => redactValue(v, this.server.redaction);

  private record(e: AuditEntry): string {
    return this.audit.record({ session: this.session.id, caller: this.caller, server: this.server.name, ...e });
  }
}

/** The delay `setTimeout` would really wait for `ms` (it waits 1 ms for anything outside 1 .. 2^31-1). */
function timerDelay(ms: number): number {
  return ms >= 1 && ms <= 2_147_483_647 ? ms : 1;
}
