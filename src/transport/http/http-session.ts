import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { AuditLog } from "../../audit/audit-record.js";
import type { ServerPolicy } from "../../config/server-policy.js";
import type { Pipeline } from "../../pipeline/pipeline.js";
import { SessionState, type Principal } from "../../pipeline/session-state.js";
import { auditedLine } from "../../proxy/audited-line.js";
import { MessageRelay } from "../../proxy/message-relay.js";
import { approvalsFor } from "../../approvals/broker-registry.js";
import { idKey, type JsonRpcId } from "../../protocol/json-rpc.js";
import { openUpstream, type Upstream } from "../open-upstream.js";
import { StderrTail, startRun, type UpstreamSupervisor } from "../upstream-supervisor.js";
import { httpStatusOf } from "./rate-limit-status.js";
import { replyError } from "./http-reply.js";

interface Waiting {
  res: ServerResponse;
  sse: boolean;
  /** The client accepts an SSE answer, so the reply can be upgraded to a stream if the server needs to ask something. */
  canStream: boolean;
}

/**
 * One legacy-era (2025-11-25) Streamable HTTP session: its own upstream process and relay. Replies
 * go back on the POST that asked (JSON, or SSE when the client accepts it and asked for progress);
 * progress notifications follow their request's stream; everything else goes to the session's GET
 * stream when one is open.
 */
export class HttpSession {
  readonly id = randomUUID();
  readonly state: SessionState;
  readonly principal?: Principal;
  lastActive = Date.now();
  private readonly relay: MessageRelay;
  private readonly upstream: Upstream;
  private readonly waiting = new Map<string, Waiting>();
  private readonly progress = new Map<string, string>(); // progress token key -> request id key
  private stream?: ServerResponse;
  private closed = false;

  /**
   * `supervisor`: the server's crash/backoff state (shared with every other endpoint). The session's
   * upstream reports to it: its first message as "up", an unexpected exit as a crash (the backoff then
   * refuses new sessions), a stop on DELETE, idle expiry or shutdown as expected.
   */
  constructor(opts: { server: ServerPolicy; command?: readonly string[]; pipeline: Pipeline; audit: AuditLog; principal?: Principal; caller?: string; log: (l: string) => void; onClosed: (s: HttpSession) => void; supervisor?: UpstreamSupervisor }) {
    this.principal = opts.principal;
    this.state = new SessionState(`h_${this.id.slice(0, 8)}`);
    this.state.principal = opts.principal;
    this.state.caller = opts.caller;
    // The upstream's stderr goes to the operator log (where it went before, inherited), prefixed with the server name.
    const stderr = new StderrTail(opts.server.name, opts.log);
    const run = startRun(opts.supervisor, opts.caller);
    let spoke = false;
    this.upstream = openUpstream(opts.server, { command: opts.command, stderr: (c) => stderr.push(c) }, {
      line: (text, bytes) => {
        if (!spoke) {
          spoke = true;
          run.up();
        }
        this.relay.fromUpstream(text, bytes);
      },
      oversize: (id, bytes) => this.relay.rejectUpstreamFrame(id, bytes),
      invalidUtf8: (id, bytes) => this.relay.rejectUpstreamFrame(id, bytes, "invalid-utf8"),
      failed: (e) => {
        opts.log(`session ${this.id}: cannot start upstream: ${e.message}`);
        stderr.end();
        run.crashed(`could not be started (${e.message})`, stderr.tail());
        this.relay.upstreamClosed(`could not be started (${e.message})`);
        this.end(opts.onClosed);
      },
      closed: (how, _code, expected) => {
        stderr.end();
        if (!expected) {
          opts.log(`session ${this.id}: upstream ${how}`);
          run.crashed(how, stderr.tail());
        } else run.stopped();
        this.relay.upstreamClosed(expected ? "was shut down" : how, expected);
        this.end(opts.onClosed);
      },
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
    if (this.waiting.has(idKey(id))) {
      // Reusing a pending id must not take over the first request's reply slot.
      replyError(res, 400, "INVALID_REQUEST", `Portcullis refused a request reusing id ${JSON.stringify(id)} while an earlier request with that id is still pending.`, {}, id);
      return;
    }
    const token = ((msg.params as Record<string, unknown> | undefined)?._meta as Record<string, unknown> | undefined)?.progressToken;
    const sse = acceptsSse && (typeof token === "string" || typeof token === "number");
    this.waiting.set(idKey(id), { res, sse, canStream: acceptsSse });
    if (sse) {
      this.progress.set(idKey(token as JsonRpcId), idKey(id));
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "mcp-session-id": this.id });
    }
    res.on("close", () => {
      this.waiting.delete(idKey(id));
      if (sse) this.progress.delete(idKey(token as JsonRpcId));
    });
    this.relay.fromClient(raw);
  }

  /** The standalone GET stream for server-initiated messages. One at a time, as the spec allows. */
  openStream(res: ServerResponse): void {
    this.stream?.end();
    this.stream = res;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "mcp-session-id": this.id });
    res.write(": portcullis stream open\n\n");
    res.on("close", () => {
      if (this.stream === res) this.stream = undefined;
    });
  }

  private deliver(line: string): void {
    const msg = JSON.parse(line) as Record<string, unknown>;
    const isResponse = !("method" in msg);
    if (isResponse && (typeof msg.id === "string" || typeof msg.id === "number")) {
      const w = this.waiting.get(idKey(msg.id));
      if (!w) return; // the client gave up on it
      this.waiting.delete(idKey(msg.id));
      if (w.sse) w.res.end(`event: message\ndata: ${line}\n\n`);
      else {
        const { status, headers } = httpStatusOf(msg);
        w.res.writeHead(status, { "content-type": "application/json", "mcp-session-id": this.id, ...headers }).end(line);
      }
      return;
    }
    if (msg.method === "notifications/progress") {
      const token = (msg.params as Record<string, unknown> | undefined)?.progressToken;
      const reqKey = typeof token === "string" || typeof token === "number" ? this.progress.get(idKey(token)) : undefined;
      const w = reqKey ? this.waiting.get(reqKey) : undefined;
      if (w?.sse) {
        w.res.write(`event: message\ndata: ${line}\n\n`);
        return;
      }
    }
    if (this.stream) {
      this.stream.write(`event: message\ndata: ${line}\n\n`);
      return;
    }
    // No GET stream: a server request (elicitation for a held call, sampling, roots) rides on a pending
    // POST's stream, upgraded to SSE if it was going to be plain JSON (the spec allows either).
    if (typeof msg.method === "string" && "id" in msg) {
      for (const w of [...this.waiting.values()].reverse()) {
        if (!w.sse && !(w.canStream && !w.res.headersSent)) continue;
        if (!w.sse) {
          w.sse = true;
          w.res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "mcp-session-id": this.id });
        }
        w.res.write(`event: message\ndata: ${line}\n\n`);
        return;
      }
    }
  }

  /** DELETE, idle expiry or shutdown: stop the upstream; pending requests get errors from the relay. */
  close(): void {
    this.upstream.stop(true);
  }

  private end(onClosed: (s: HttpSession) => void): void {
    if (this.closed) return;
    this.closed = true;
    this.stream?.end();
    for (const w of this.waiting.values()) if (!w.res.headersSent) w.res.writeHead(503).end();
    onClosed(this);
  }
}

function isValidId(id: unknown): id is JsonRpcId {
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}
