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
import type { Upstream } from "../open-upstream.js";
import { openSessionUpstream } from "./session-upstream.js";
import type { UpstreamSupervisor } from "../upstream-supervisor.js";
import { replyError } from "./http-reply.js";
import { ClientStreams } from "./client-streams.js";
import { UndeliveredAudit } from "./undelivered-audit.js";

/**
 * One legacy-era (2025-11-25) Streamable HTTP session: its own upstream process and relay. Replies
 * go back on the POST that asked (JSON, or SSE when the client accepts it and asked for progress);
 * progress notifications follow their request's stream; everything else goes to the session's GET
 * stream when one is open (a server request may ride a pending POST instead). A server request that
 * cannot reach the client is refused to the upstream at once (CLIENT_INPUT_UNAVAILABLE, audited
 * `server_request_refused`); other undeliverable messages are audited, rate-bounded
 * (`server_message_undelivered`).
 */
export class HttpSession {
  readonly id = randomUUID();
  readonly state: SessionState;
  readonly principal?: Principal;
  lastActive = Date.now();
  private readonly relay: MessageRelay;
  private readonly upstream: Upstream;
  private readonly streams: ClientStreams;
  private readonly undelivered: UndeliveredAudit;
  private readonly record: (e: AuditEntry) => string;
  private closed = false;

  /**
   * `supervisor`: the server's crash/backoff state (shared with every other endpoint). The session's
   * upstream reports to it: its first message as "up", an unexpected exit as a crash (the backoff then
   * refuses new sessions), a stop on DELETE, idle expiry or shutdown as expected.
   */
  constructor(opts: { server: ServerPolicy; command?: readonly string[]; pipeline: Pipeline; audit: AuditLog; principal?: Principal; caller?: string; log: (l: string) => void; onClosed: (s: HttpSession) => void; supervisor?: UpstreamSupervisor }) {
    this.principal = opts.principal;
    // Approval grants ("for this session") are keyed by this id: all 122 random bits of the UUID.
    this.state = new SessionState(`h_${this.id.replaceAll("-", "")}`);
    this.state.principal = opts.principal;
    this.state.caller = opts.caller;
    this.record = (e) => opts.audit.record({ session: this.state.id, caller: opts.caller, server: opts.server.name, ...e });
    this.undelivered = new UndeliveredAudit(this.record);
    this.streams = new ClientStreams(this.id, (msg, why) => this.undeliverable(msg, why));
    this.upstream = openSessionUpstream({
      server: opts.server, command: opts.command, supervisor: opts.supervisor, caller: opts.caller, log: opts.log,
      label: `session ${this.id}`, relay: () => this.relay, gone: () => this.end(opts.onClosed),
    });
    this.relay = new MessageRelay({
      server: opts.server, pipeline: opts.pipeline, audit: opts.audit, session: this.state, caller: opts.caller, log: opts.log, approvals: approvalsFor(opts.pipeline),
      endpoints: { toClient: (l, unaudited) => this.deliver(auditedLine(opts.audit, l, unaudited)), toUpstream: (l) => this.upstream.write(l) },
    });
  }

  /** A POSTed message. Requests keep `res` open until their reply; other messages get 202. */
  post(msg: Record<string, unknown>, raw: string, res: ServerResponse, acceptsSse: boolean): void {
    this.lastActive = Date.now();
    if (typeof msg.method === "string" && "id" in msg && !isValidId(msg.id)) {
      // An id the relay cannot echo (1e999 parses as Infinity, objects, null) could never be routed back.
      replyError(res, 400, "INVALID_REQUEST", "Portcullis refused a request whose id is not a string or a finite number.");
      return;
    }
    const isRequest = typeof msg.method === "string" && isValidId(msg.id);
    if (!isRequest) {
      this.relay.fromClient(raw);
      res.writeHead(202).end();
      return;
    }
    const id = msg.id as JsonRpcId;
    const token = ((msg.params as Record<string, unknown> | undefined)?._meta as Record<string, unknown> | undefined)?.progressToken;
    if (!this.streams.expect(id, res, acceptsSse, token)) {
      // Reusing a pending id must not take over the first request's reply slot.
      replyError(res, 400, "INVALID_REQUEST", `Portcullis refused a request reusing id ${JSON.stringify(id)} while an earlier request with that id is still pending.`, {}, id);
      return;
    }
    this.relay.fromClient(raw);
  }

  /** The standalone GET stream for server-initiated messages. One at a time, as the spec allows. */
  openStream(res: ServerResponse): void {
    this.streams.openStream(res);
  }

  private deliver(line: string): void {
    this.streams.send(JSON.parse(line) as Record<string, unknown>, line);
  }

  /** ClientStreams could not deliver `msg`: refuse a server request upstream; audit the rest. */
  private undeliverable(msg: Record<string, unknown>, why: string): void {
    const method = typeof msg.method === "string" ? msg.method : undefined;
    if (method !== undefined && isValidId(msg.id)) {
      // Through the relay, as the client's answer: the upstream stops waiting (and an approval the
      // gateway itself asked by elicitation falls through to its other channels).
      const code: ErrorCode = "CLIENT_INPUT_UNAVAILABLE";
      const reason = `Portcullis could not deliver ${method} to the client: ${why}.`;
      const auditId = this.record({ event: "server_request_refused", severity: "medium", method, decision: "deny", layer: "gateway", rule: "undeliverable-server-request", code, reason });
      if (!this.closed) this.relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: msg.id, error: { code: ERROR_CODES[code].rpc, message: reason, data: { portcullis: { layer: "gateway", rule: "undeliverable-server-request", code, auditId } } } }));
      return;
    }
    this.undelivered.note(method ?? "response", why);
  }

  /** DELETE, idle expiry or shutdown: stop the upstream; pending requests get errors from the relay. */
  close(): void {
    this.upstream.stop(true);
  }

  private end(onClosed: (s: HttpSession) => void): void {
    if (this.closed) return;
    this.closed = true;
    this.streams.end();
    this.undelivered.flush();
    onClosed(this);
  }
}

function isValidId(id: unknown): id is JsonRpcId {
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}
