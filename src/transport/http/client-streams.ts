import type { ServerResponse } from "node:http";
import { idKey, type JsonRpcId } from "../../protocol/json-rpc.js";
import { httpStatusOf } from "./rate-limit-status.js";

/**
 * A message ClientStreams could not deliver, and why. A server *request* must then be answered to the
 * upstream (the owner's job: it knows the relay and the server's id); anything else is audited.
 */
export type Undeliverable = (msg: Record<string, unknown>, why: string) => void;

interface Waiting {
  res: ServerResponse;
  sse: boolean;
  canStream: boolean;
}

/**
 * The client side of one 2025-11-25 Streamable HTTP session (HttpSession, and /mcp's AggregateSession):
 * a reply on the POST that asked (JSON, or SSE when the client accepts it and asked for progress),
 * progress on its request's stream, other server messages on the GET stream, or, without one, a server
 * request riding on a pending POST upgraded to SSE (the spec allows either). Whatever cannot be
 * delivered (a server request with neither, a notification without a GET stream, a reply the client
 * gave up on) goes to `onUndeliverable`: nothing is dropped silently.
 */
export class ClientStreams {
  private readonly waiting = new Map<string, Waiting>();
  private readonly progress = new Map<string, string>(); // progress token key -> request id key
  private stream?: ServerResponse;

  constructor(private readonly sessionId: string, private readonly onUndeliverable: Undeliverable = () => {}) {}

  /** Holds `res` for the reply to request `id`; false when that id is already pending. */
  expect(id: JsonRpcId, res: ServerResponse, acceptsSse: boolean, progressToken: unknown): boolean {
    if (this.waiting.has(idKey(id))) return false;
    const token = typeof progressToken === "string" || typeof progressToken === "number" ? progressToken : undefined;
    const sse = acceptsSse && token !== undefined;
    this.waiting.set(idKey(id), { res, sse, canStream: acceptsSse });
    if (sse) {
      this.progress.set(idKey(token), idKey(id));
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "mcp-session-id": this.sessionId });
    }
    res.on("close", () => {
      if (this.waiting.get(idKey(id))?.res === res) this.waiting.delete(idKey(id));
      if (sse && token !== undefined) this.progress.delete(idKey(token));
    });
    return true;
  }

  openStream(res: ServerResponse): void {
    this.stream?.end();
    this.stream = res;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "mcp-session-id": this.sessionId });
    res.write(": portcullis stream open\n\n");
    res.on("close", () => {
      if (this.stream === res) this.stream = undefined;
    });
  }

  /** One message for the client; `line` is its JSON text when the caller already has it. */
  send(msg: Record<string, unknown>, line = JSON.stringify(msg)): void {
    if (!("method" in msg)) {
      const key = typeof msg.id === "string" || typeof msg.id === "number" ? idKey(msg.id) : undefined;
      const w = key !== undefined ? this.waiting.get(key) : undefined;
      if (!w) {
        this.onUndeliverable(msg, `the client is no longer waiting for it (id ${String(JSON.stringify(msg.id ?? null)).slice(0, 100)})`);
        return;
      }
      this.waiting.delete(key!);
      if (w.sse) w.res.end(`event: message\ndata: ${line}\n\n`);
      else {
        const { status, headers } = httpStatusOf(msg);
        w.res.writeHead(status, { "content-type": "application/json", "mcp-session-id": this.sessionId, ...headers }).end(line);
      }
      return;
    }
    if (msg.method === "notifications/progress") {
      const token = (msg.params as Record<string, unknown> | undefined)?.progressToken;
      const key = typeof token === "string" || typeof token === "number" ? this.progress.get(idKey(token)) : undefined;
      const w = key ? this.waiting.get(key) : undefined;
      if (w?.sse) {
        w.res.write(`event: message\ndata: ${line}\n\n`);
        return;
      }
    }
    if (this.stream) {
      this.stream.write(`event: message\ndata: ${line}\n\n`);
      return;
    }
    if ("id" in msg) {
      for (const w of [...this.waiting.values()].reverse()) {
        if (!w.sse && !(w.canStream && !w.res.headersSent)) continue;
        if (!w.sse) {
          w.sse = true;
          w.res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "mcp-session-id": this.sessionId });
        }
        w.res.write(`event: message\ndata: ${line}\n\n`);
        return;
      }
      this.onUndeliverable(msg, "no GET stream is open and no pending request of the client can carry it (none accepts text/event-stream)");
      return;
    }
    this.onUndeliverable(msg, "no GET stream is open");
  }

  /** The session ended: close the GET stream; pending POSTs get 503. */
  end(): void {
    this.stream?.end();
    for (const w of this.waiting.values()) if (!w.res.headersSent) w.res.writeHead(503).end();
    else w.res.end();
    this.waiting.clear();
  }
}
