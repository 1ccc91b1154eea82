import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditEntry, AuditLog } from "../../audit/audit-record.js";
import { replyError } from "./http-reply.js";
import { BodyTooLargeError, readBody } from "./read-body.js";

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** One POSTed JSON-RPC message: the parsed object and its exact text. */
export interface PostedMessage {
  msg: Record<string, unknown>;
  raw: string;
}

/**
 * Reads a POST body as one JSON-RPC message, or answers the request itself and returns undefined:
 * 415 without `Content-Type: application/json`, 413 (audited) over `limit` bytes, 400 for invalid
 * UTF-8, unparsable JSON, or anything but a single object. `audited` adds fields to the 413 line.
 */
export async function readPostedMessage(req: IncomingMessage, res: ServerResponse, limit: number, audit: AuditLog, audited: Partial<AuditEntry> = {}): Promise<PostedMessage | undefined> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type)) {
    replyError(res, 415, "INVALID_REQUEST", `Portcullis expects Content-Type: application/json (got "${type || "none"}").`);
    return undefined;
  }
  let body: Buffer;
  try {
    body = await readBody(req, limit);
  } catch (e) {
    if (!(e instanceof BodyTooLargeError)) throw e;
    audit.record({ event: "malformed_message", severity: "low", decision: "deny", layer: "gateway", code: "MESSAGE_TOO_LARGE", ...audited, reason: `${audited.reason ?? ""}${e.message}` });
    replyError(res, 413, "MESSAGE_TOO_LARGE", `Portcullis refused the request: the body exceeds ${e.limit} bytes (max_request_kb).`);
    return undefined;
  }
  let raw: string;
  let msg: unknown;
  try {
    raw = UTF8.decode(body);
    msg = JSON.parse(raw);
  } catch (e) {
    const utf8 = e instanceof TypeError;
    replyError(res, 400, utf8 ? "INVALID_UTF8" : "PARSE_ERROR", utf8 ? "Portcullis refused a body that is not valid UTF-8." : `Portcullis could not parse the body as JSON (${(e as Error).message}).`);
    return undefined;
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) {
    replyError(res, 400, "INVALID_REQUEST", "Portcullis expects one JSON-RPC message (an object) per POST.");
    return undefined;
  }
  return { msg: msg as Record<string, unknown>, raw };
}
