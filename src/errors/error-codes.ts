/**
 * The one registry of Portcullis error codes. Every denial, protocol error and CLI failure uses a
 * code from here, so clients and operators can match on something stable. `docs/errors.md` must
 * document every code; a test enforces it.
 *
 * JSON-RPC numbers sit in the implementation-defined server range (-32000..-32099), avoiding
 * -32020..-32029, which the MCP HTTP transport reserves for header validation.
 */
export const ERROR_CODES = {
  PARSE_ERROR: { rpc: -32700, title: "Message is not valid JSON" },
  INVALID_REQUEST: { rpc: -32600, title: "Message is not a valid JSON-RPC 2.0 message" },
  TOOL_DENIED: { rpc: -32001, title: "Tool is not permitted by policy" },
  OPERATION_DENIED: { rpc: -32002, title: "Operation is not permitted at this server's trust level" },
  ARGUMENT_REJECTED: { rpc: -32003, title: "A tool argument breaks an argument rule" },
  CALL_CAP_EXCEEDED: { rpc: -32004, title: "Per-session call cap for this tool is used up" },
  APPROVAL_REQUIRED: { rpc: -32005, title: "Call needs human approval" },
  RATE_LIMITED: { rpc: -32006, title: "Rate limit exceeded" },
  RESPONSE_TOO_LARGE: { rpc: -32007, title: "Upstream reply exceeds the size limit" },
  UPSTREAM_TIMEOUT: { rpc: -32008, title: "Upstream did not answer in time" },
  UPSTREAM_UNAVAILABLE: { rpc: -32009, title: "Upstream server exited or cannot be reached" },
  MESSAGE_TOO_LARGE: { rpc: -32010, title: "Client message exceeds the size limit" },
  LAYER_FAILED: { rpc: -32011, title: "A security layer failed; the message was denied (fail closed)" },
  INJECTION_DETECTED: { rpc: -32012, title: "Prompt injection detected in content" },
  METHOD_DENIED: { rpc: -32013, title: "Method is not permitted by policy" },
  UNKNOWN_TOOL: { rpc: -32014, title: "Tool is unknown to the upstream server" },
  INVALID_UTF8: { rpc: -32015, title: "Message is not valid UTF-8" },
  UPSTREAM_MALFORMED: { rpc: -32016, title: "Upstream sent a message that is not valid JSON-RPC" },
  AUDIT_UNAVAILABLE: { rpc: -32017, title: "Audit log cannot be written; calls are refused (fail closed)" },
  PIN_CHANGED: { rpc: -32018, title: "Tool definition differs from its pin (or is new and unapproved); blocked until approved" },
  DESCRIPTION_REJECTED: { rpc: -32019, title: "Tool, prompt or template description failed review" },
  UNAUTHORIZED: { rpc: -32050, title: "Authentication required or failed (HTTP 401)" },
  FORBIDDEN: { rpc: -32051, title: "Authenticated, but not allowed to use this server (HTTP 403)" },
  ORIGIN_REJECTED: { rpc: -32052, title: "Request Origin or Host is not allowed (HTTP 403, DNS-rebinding defence)" },
  SESSION_NOT_FOUND: { rpc: -32053, title: "Unknown or expired Mcp-Session-Id (HTTP 404)" },
  GATEWAY_BUSY: { rpc: -32054, title: "Too many open sessions (HTTP 503)" },
  STORE_UNAVAILABLE: { rpc: -32055, title: "State store (SQLite/Redis) unavailable; request refused (fail closed)" },
  UPSTREAM_RESTARTING: { rpc: -32056, title: "Upstream crashed and is restarting after a backoff delay (HTTP 503 + Retry-After)" },
  CLIENT_INPUT_UNAVAILABLE: { rpc: -32057, title: "A server->client request could not be delivered to the 2026-07-28 client" },
  CONFIG_INVALID: { rpc: -32030, title: "Configuration is invalid" },
  USAGE: { rpc: -32031, title: "Command-line usage error" },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function rpcCodeOf(code: ErrorCode): number {
  return ERROR_CODES[code].rpc;
}
