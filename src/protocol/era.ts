import type { JsonRpcRequest } from "./json-rpc.js";

export const MODERN_META_KEYS = ["io.modelcontextprotocol/protocolVersion", "io.modelcontextprotocol/clientInfo", "io.modelcontextprotocol/clientCapabilities"] as const;
export const PROTOCOL_VERSION_META = MODERN_META_KEYS[0];

/**
 * The 2026-07-28 era marks every request with its protocol version in `params._meta`; the legacy
 * era negotiates once in `initialize`. Returns the modern envelope of a request, if any.
 */
export function modernEnvelope(req: JsonRpcRequest): Record<string, unknown> | undefined {
  const meta = req.params?._meta as Record<string, unknown> | undefined;
  if (!meta || typeof meta !== "object" || typeof meta[PROTOCOL_VERSION_META] !== "string") return undefined;
  const env: Record<string, unknown> = {};
  for (const k of MODERN_META_KEYS) if (k in meta) env[k] = meta[k];
  return env;
}
