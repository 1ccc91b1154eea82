import { ERROR_CODES, type ErrorCode } from "../errors/error-codes.js";
import type { JsonRpcId } from "../protocol/json-rpc.js";

export interface DenialMeta {
  layer: string;
  rule: string;
  code: ErrorCode;
  auditId: string;
  /** For RATE_LIMITED: when to retry (the HTTP gateway turns it into 429 + Retry-After). */
  retryAfterMs?: number;
}

// Codes about the message itself rather than a policy verdict on a tool: always JSON-RPC errors.
const PROTOCOL_CODES = new Set<ErrorCode>(["PARSE_ERROR", "INVALID_REQUEST", "INVALID_UTF8", "MESSAGE_TOO_LARGE", "METHOD_DENIED", "AUDIT_UNAVAILABLE"]);

/**
 * The reply to a refused request. A refused `tools/call` is a normal result with `isError: true`
 * (SPEC): the model reads the reason and can adapt. Everything else is a JSON-RPC error carrying
 * the same `data.portcullis`.
 */
export function denialResponse(id: JsonRpcId | null, method: string | undefined, reason: string, meta: DenialMeta, modern: boolean): Record<string, unknown> {
  if (method === "tools/call" && id !== null && !PROTOCOL_CODES.has(meta.code)) {
    const result: Record<string, unknown> = {
      content: [{ type: "text", text: reason }],
      isError: true,
      _meta: { portcullis: meta },
    };
    if (modern) result.resultType = "complete";
    return { jsonrpc: "2.0", id, result };
  }
  return { jsonrpc: "2.0", id, error: { code: ERROR_CODES[meta.code].rpc, message: reason, data: { portcullis: meta } } };
}
