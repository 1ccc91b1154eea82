import type { AuditLog } from "../audit/audit-record.js";
import { auditedLine } from "../proxy/audited-line.js";
import type { ServerPolicy } from "../config/server-policy.js";
import type { Pipeline } from "../pipeline/pipeline.js";
import { SessionState } from "../pipeline/session-state.js";
import { idOf } from "../protocol/json-rpc.js";
import { MessageRelay } from "../proxy/message-relay.js";
import type { JsonRpcMessageLike, McpTransport } from "./mcp-transport.js";

export interface GuardedTransportOptions {
  /** The effective policy of the server behind the inner transport. */
  server: ServerPolicy;
  pipeline: Pipeline;
  audit: AuditLog;
  /** Hashed caller identity for audit lines. */
  caller?: string;
  /** Operator diagnostics (nothing by default). */
  log?: (line: string) => void;
}

/**
 * An MCP transport that runs every message through the Portcullis pipeline in-process: what the
 * client sends goes to `MessageRelay.fromClient`, what the server sends to `fromUpstream`, exactly
 * as `portcullis wrap` feeds them from stdio. Refusals come back to the client as normal replies
 * (`isError` results or JSON-RPC errors carrying `_meta.portcullis` / `data.portcullis`).
 *
 * @example
 * const client = new Client({ name: "app", version: "1.0.0" });
 * await client.connect(guard.wrap(new StdioClientTransport({ command: "node", args: ["server.js"] })));
 */
export class GuardedTransport implements McpTransport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onmessage?: ((message: any, extra?: any) => void) | undefined;
  /** The relay enforcing this connection's session (its `session` holds counters and the tool catalog). */
  readonly relay: MessageRelay;
  private readonly inner: McpTransport;
  private readonly server: ServerPolicy;
  private readonly audit: AuditLog;
  private closing = false;
  private closed = false;
  private readonly onClosed: (t: GuardedTransport) => void;

  constructor(inner: McpTransport, opts: GuardedTransportOptions, onClosed: (t: GuardedTransport) => void = () => {}) {
    this.inner = inner;
    this.server = opts.server;
    this.audit = opts.audit;
    this.onClosed = onClosed;
    this.relay = new MessageRelay({
      server: opts.server,
      pipeline: opts.pipeline,
      audit: opts.audit,
      caller: opts.caller,
      log: opts.log,
      session: new SessionState(),
      endpoints: {
        toClient: (line, unaudited) => this.deliver(auditedLine(opts.audit, line, unaudited)),
        toUpstream: (line) => this.forward(line),
      },
    });
  }

  /** The session id of the inner transport (HTTP transports), if any. */
  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  /** Whether the inner transport opens a stream per request (v2 SDK HTTP transports). */
  get hasPerRequestStream(): boolean | undefined {
    return (this.inner as { hasPerRequestStream?: boolean }).hasPerRequestStream;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.inner.setSupportedProtocolVersions?.(versions);
  }

  async start(): Promise<void> {
    this.inner.onmessage = (msg: unknown) => {
      let raw: string;
      try {
        raw = JSON.stringify(msg);
      } catch (e) {
        this.onerror?.(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      this.relay.fromUpstream(raw, Buffer.byteLength(raw));
    };
    this.inner.onerror = (e) => this.onerror?.(e);
    this.inner.onclose = () => this.upstreamGone();
    await this.inner.start();
  }

  async send(message: JsonRpcMessageLike): Promise<void> {
    if (this.closed) throw new Error("Portcullis guarded transport is closed");
    const raw = JSON.stringify(message);
    const bytes = Buffer.byteLength(raw);
    if (bytes > this.server.maxRequestBytes) this.relay.rejectClientFrame(idOf(message), "MESSAGE_TOO_LARGE", bytes);
    else this.relay.fromClient(raw);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    await this.inner.close();
    // Some transports do not call onclose from close(); make sure the session ends either way.
    this.upstreamGone();
  }

  private upstreamGone(): void {
    if (this.closed) return;
    this.closed = true;
    this.relay.upstreamClosed(this.closing ? "was shut down" : "closed the connection", this.closing);
    this.audit.flush();
    this.onClosed(this);
    // After any refusals the relay just queued for pending requests.
    queueMicrotask(() => this.onclose?.());
  }

  private deliver(line: string): void {
    // Write-ahead: the audit line describing a decision is on disk before the client sees the reply.
    this.audit.flush();
    const msg = JSON.parse(line) as unknown;
    // Asynchronous, in order: a client must never be re-entered from inside its own send().
    queueMicrotask(() => this.onmessage?.(msg));
  }

  private forward(line: string): void {
    if (this.closed) return;
    this.inner.send(JSON.parse(line) as JsonRpcMessageLike).catch((e: unknown) => this.onerror?.(e instanceof Error ? e : new Error(String(e))));
  }
}
