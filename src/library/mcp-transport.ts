/**
 * The structural shape of an MCP SDK transport (v1 `@modelcontextprotocol/sdk` and v2
 * `@modelcontextprotocol/client` both satisfy it). Declared here so Portcullis needs no SDK at
 * runtime: any object with these members can be guarded, and a guarded transport can be handed to
 * either SDK's `Client.connect()`.
 */
export interface McpTransport {
  start(): Promise<void>;
  /** Sends one JSON-RPC message (request, notification or response). */
  send(message: JsonRpcMessageLike, options?: unknown): Promise<void>;
  close(): Promise<void>;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  // The SDKs declare `onmessage` generically over their own message types; `any` keeps both assignable.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onmessage?: ((message: any, extra?: any) => void) | undefined;
  sessionId?: string | undefined;
  setProtocolVersion?: ((version: string) => void) | undefined;
  setSupportedProtocolVersions?: ((versions: string[]) => void) | undefined;
}

/** A JSON-RPC 2.0 message as an SDK hands it to `send` (an object; Portcullis serialises it). */
export type JsonRpcMessageLike = object;
