import type { IncomingMessage, ServerResponse } from "node:http";
import { replyError } from "./http-reply.js";

/** A request header's first value. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Whether the request's Accept header names `type`. */
export function accepts(req: IncomingMessage, type: string): boolean {
  return (header(req, "accept") ?? "").toLowerCase().includes(type);
}

/**
 * The HTTP methods of a 2025-11-25 Streamable HTTP endpoint: POST goes to `post`; GET opens the
 * session's SSE stream; DELETE forgets and closes the session; anything else is 405.
 */
export function answerSessionMethod(
  req: IncomingMessage, res: ServerResponse,
  session: { openStream(res: ServerResponse): void; close(): void } | undefined,
  forget: () => void, post: () => Promise<void>,
): Promise<void> | void {
  switch (req.method) {
    case "POST":
      return post();
    case "GET":
      if (!session) return replyError(res, 400, "INVALID_REQUEST", "GET needs an Mcp-Session-Id header (open a session with initialize first).");
      if (!accepts(req, "text/event-stream")) return replyError(res, 406, "INVALID_REQUEST", "GET opens an SSE stream: send Accept: text/event-stream.");
      session.openStream(res);
      return;
    case "DELETE":
      if (!session) return replyError(res, 400, "INVALID_REQUEST", "DELETE needs an Mcp-Session-Id header.");
      forget();
      session.close();
      res.writeHead(204).end();
      return;
    default:
      replyError(res, 405, "INVALID_REQUEST", `Method ${req.method} is not supported; use POST, GET or DELETE.`, { allow: "POST, GET, DELETE" });
  }
}
