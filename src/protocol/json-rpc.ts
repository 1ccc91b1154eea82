/**
 * Minimal JSON-RPC 2.0 shapes as Portcullis sees them on the wire. We deliberately do not decode
 * into SDK objects: the proxy parses with JSON.parse, inspects the few fields it needs, and relays
 * the original bytes of everything it does not change.
 */
export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: JsonRpcId;
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcResponse {
  jsonrpc: "2.0";
  id: JsonRpcId | null;
  result?: Record<string, unknown>;
  error?: JsonRpcErrorObject;
}

export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export type MessageKind = "request" | "notification" | "response" | "invalid";

function isId(v: unknown): v is JsonRpcId {
  return typeof v === "string" || (typeof v === "number" && Number.isFinite(v));
}

/** Classifies a parsed value; anything that is not a well-formed JSON-RPC 2.0 object is "invalid". */
export function classifyMessage(v: unknown): MessageKind {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "invalid";
  const m = v as Record<string, unknown>;
  if (m.jsonrpc !== "2.0") return "invalid";
  if (m.params !== undefined && (typeof m.params !== "object" || m.params === null)) return "invalid";
  if (typeof m.method === "string") {
    if (!("id" in m)) return "notification";
    return isId(m.id) ? "request" : "invalid";
  }
  if ("method" in m) return "invalid";
  if (("result" in m) !== ("error" in m) && (isId(m.id) || m.id === null)) {
    if ("result" in m && (typeof m.result !== "object" || m.result === null)) return "invalid";
    return "response";
  }
  return "invalid";
}

/** Best-effort id of a message we could not fully accept, so the error can still be correlated. */
export function idOf(v: unknown): JsonRpcId | null {
  if (typeof v !== "object" || v === null) return null;
  const id = (v as Record<string, unknown>).id;
  return isId(id) ? id : null;
}

/** Key for maps of pending ids: 1 and "1" are different JSON-RPC ids. */
export function idKey(id: JsonRpcId): string {
  return typeof id === "number" ? `n:${id}` : `s:${id}`;
}

export function errorResponse(id: JsonRpcId | null, error: JsonRpcErrorObject): JsonRpcResponse {
  return { jsonrpc: "2.0", id, error };
}
