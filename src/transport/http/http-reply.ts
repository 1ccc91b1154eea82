import type { ServerResponse } from "node:http";
import { ERROR_CODES, type ErrorCode } from "../../errors/error-codes.js";

/** An HTTP error whose body is a JSON-RPC error, so MCP clients can show the reason. */
export function replyError(res: ServerResponse, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}, id: string | number | null = null): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify({ jsonrpc: "2.0", id, error: { code: ERROR_CODES[code].rpc, message, data: { portcullis: { layer: "gateway", code } } } });
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(body);
}
