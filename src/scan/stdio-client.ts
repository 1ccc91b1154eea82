import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { LineFramer } from "../transport/line-framer.js";
import { RemoteUpstream } from "../transport/remote-upstream.js";

/** A JSON-RPC error reply from the server. */
export class RpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = "RpcError";
  }
}

export interface StdioClientOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Largest message accepted from the server (default 16 MB). */
  maxMessageBytes?: number;
}

const PROTOCOL_VERSION = "2025-11-25";

/**
 * A minimal MCP client, over stdio or to a remote Streamable HTTP server, enough to list what a
 * server offers: connect, initialize,
 * notifications/initialized, then requests with timeouts. Server-to-client requests (roots,
 * sampling, elicitation) are answered "method not found"; notifications are ignored.
 * No dependency on the SDK, so `portcullis scan` runs from a production install.
 */
/** How the client reaches a server: a spawned process over stdio, or a remote Streamable HTTP endpoint. */
interface Wire {
  send(line: string): void;
  close(): void;
  stderr(): string;
}

export interface RemoteClientOptions {
  /** Upstream credentials from the config (e.g. Authorization). */
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxMessageBytes?: number;
  /** Refuse plain http:// unless the host is loopback (default true). */
  requireHttps?: boolean;
}

export class StdioMcpClient {
  private wire!: Wire;
  private readonly pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private exitError?: Error;
  readonly timeoutMs: number;
  serverInfo?: { name?: string; version?: string };
  capabilities: Record<string, unknown> = {};

  private constructor(timeoutMs: number | undefined) {
    this.timeoutMs = timeoutMs ?? 30_000;
  }

  private static spawnWire(c: StdioMcpClient, command: readonly string[], opts: StdioClientOptions): Wire {
    const [cmd, ...args] = command;
    if (!cmd) throw new Error("no command given");
    let stderrTail = "";
    const child: ChildProcessWithoutNullStreams = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...opts.env }, cwd: opts.cwd, windowsHide: true });
    const framer = new LineFramer(opts.maxMessageBytes ?? 16 * 1024 * 1024, {
      line: (text) => c.onLine(text),
      oversize: (_h, _t, bytes) => c.failAll(new Error(`server sent a ${bytes}-byte message, over the limit`)),
      invalidUtf8: () => c.failAll(new Error("server sent a message that is not valid UTF-8")),
    });
    child.stdout.on("data", (d: Buffer) => framer.push(d));
    child.stderr.on("data", (d: Buffer) => {
      stderrTail = (stderrTail + d.toString("utf8")).slice(-2000);
    });
    child.stdin.on("error", () => {}); // EPIPE when the server died: reported through "exit"
    child.on("error", (e) => c.failAll(new Error(`could not start \`${cmd}\`: ${e.message}`)));
    child.on("exit", (code, signal) => {
      const why = signal ? `signal ${signal}` : `code ${code}`;
      const tail = stderrTail.trim().split("\n").slice(-3).join(" | ");
      c.failAll(new Error(`server exited (${why})${tail ? `: ${tail}` : ""}`));
    });
    return {
      send: (line) => {
        if (child.stdin.writable) child.stdin.write(line + "\n");
      },
      close: () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.stdin.end();
          setTimeout(() => child.kill("SIGKILL"), 1000).unref();
          child.kill("SIGTERM");
        }
      },
      stderr: () => stderrTail,
    };
  }

  private static remoteWire(c: StdioMcpClient, url: string, opts: RemoteClientOptions): Wire {
    const upstream = new RemoteUpstream(url, { headers: opts.headers, maxLineBytes: opts.maxMessageBytes ?? 16 * 1024 * 1024, requireHttps: opts.requireHttps ?? true }, {
      line: (text) => c.onLine(text),
      oversize: (_id, bytes) => c.failAll(new Error(`server sent a ${bytes}-byte message, over the limit`)),
      invalidUtf8: () => c.failAll(new Error("server sent a message that is not valid UTF-8")),
      closed: (how) => c.failAll(new Error(`server ${how}`)),
      failed: (e) => c.failAll(e),
    });
    return { send: (line) => upstream.write(line), close: () => upstream.stop(true), stderr: () => "" };
  }

  /** Starts the server and performs the MCP handshake. Throws (and stops the server) when it fails. */
  static async connect(command: readonly string[], opts: StdioClientOptions = {}): Promise<StdioMcpClient> {
    const c = new StdioMcpClient(opts.timeoutMs);
    c.wire = StdioMcpClient.spawnWire(c, command, opts);
    return c.handshake();
  }

  /** Connects to a remote Streamable HTTP server and performs the MCP handshake. */
  static async connectRemote(url: string, opts: RemoteClientOptions = {}): Promise<StdioMcpClient> {
    const c = new StdioMcpClient(opts.timeoutMs);
    c.wire = StdioMcpClient.remoteWire(c, url, opts);
    return c.handshake();
  }

  private async handshake(): Promise<StdioMcpClient> {
    try {
      const init = await this.request("initialize", { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "portcullis-scan", version: "0.1.0" } });
      this.serverInfo = init.serverInfo as StdioMcpClient["serverInfo"];
      this.capabilities = (init.capabilities as Record<string, unknown>) ?? {};
      this.notify("notifications/initialized");
      return this;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  get stderr(): string {
    return this.wire.stderr();
  }

  request(method: string, params: Record<string, unknown> = {}, timeoutMs = this.timeoutMs): Promise<Record<string, unknown>> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no reply to ${method} within ${Math.round(timeoutMs / 100) / 10} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send({ jsonrpc: "2.0", id, method, params });
    });
  }

  /** All pages of a paginated list (`tools/list`, `prompts/list`, ...). */
  async listAll(method: string, key: string, maxPages = 100): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const res = await this.request(method, cursor === undefined ? {} : { cursor });
      const items = res[key];
      if (Array.isArray(items)) out.push(...(items as Record<string, unknown>[]));
      const next = res.nextCursor;
      if (typeof next !== "string" || next === "" || next === cursor) return out;
      cursor = next;
    }
    return out;
  }

  notify(method: string, params?: Record<string, unknown>): void {
    this.send({ jsonrpc: "2.0", method, ...(params ? { params } : {}) });
  }

  close(): void {
    this.failAll(new Error("client closed"));
    this.wire.close();
  }

  private send(msg: Record<string, unknown>): void {
    this.wire.send(JSON.stringify(msg));
  }

  private onLine(text: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return; // servers that log to stdout: ignore the noise
    }
    if (!msg || typeof msg !== "object") return;
    if (typeof msg.method === "string") {
      if (msg.id !== undefined) this.send({ jsonrpc: "2.0", id: msg.id, error: { code: -32601, message: "Method not found" } });
      return;
    }
    const p = typeof msg.id === "number" ? this.pending.get(msg.id) : undefined;
    if (!p) return;
    this.pending.delete(msg.id as number);
    clearTimeout(p.timer);
    const err = msg.error as { code?: number; message?: string } | undefined;
    if (err) p.reject(new RpcError(typeof err.code === "number" ? err.code : -32603, String(err.message ?? "error")));
    else p.resolve((msg.result as Record<string, unknown>) ?? {});
  }

  private failAll(e: Error): void {
    this.exitError ??= e;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(e);
    }
  }
}
