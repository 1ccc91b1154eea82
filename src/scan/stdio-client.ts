import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { LineFramer } from "../transport/line-framer.js";

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
 * A minimal MCP client over stdio, enough to list what a server offers: spawn, initialize,
 * notifications/initialized, then requests with timeouts. Server-to-client requests (roots,
 * sampling, elicitation) are answered "method not found"; notifications are ignored.
 * No dependency on the SDK, so `portcullis scan` runs from a production install.
 */
export class StdioMcpClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private exitError?: Error;
  private stderrTail = "";
  readonly timeoutMs: number;
  serverInfo?: { name?: string; version?: string };
  capabilities: Record<string, unknown> = {};

  private constructor(command: readonly string[], opts: StdioClientOptions) {
    const [cmd, ...args] = command;
    if (!cmd) throw new Error("no command given");
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...opts.env }, cwd: opts.cwd, windowsHide: true });
    const framer = new LineFramer(opts.maxMessageBytes ?? 16 * 1024 * 1024, {
      line: (text) => this.onLine(text),
      oversize: (_h, _t, bytes) => this.failAll(new Error(`server sent a ${bytes}-byte message, over the limit`)),
      invalidUtf8: () => this.failAll(new Error("server sent a message that is not valid UTF-8")),
    });
    this.child.stdout.on("data", (c: Buffer) => framer.push(c));
    this.child.stderr.on("data", (c: Buffer) => {
      this.stderrTail = (this.stderrTail + c.toString("utf8")).slice(-2000);
    });
    this.child.stdin.on("error", () => {}); // EPIPE when the server died: reported through "exit"
    this.child.on("error", (e) => this.failAll(new Error(`could not start \`${cmd}\`: ${e.message}`)));
    this.child.on("exit", (code, signal) => {
      const why = signal ? `signal ${signal}` : `code ${code}`;
      const tail = this.stderrTail.trim().split("\n").slice(-3).join(" | ");
      this.failAll(new Error(`server exited (${why})${tail ? `: ${tail}` : ""}`));
    });
  }

  /** Starts the server and performs the MCP handshake. Throws (and stops the server) when it fails. */
  static async connect(command: readonly string[], opts: StdioClientOptions = {}): Promise<StdioMcpClient> {
    const c = new StdioMcpClient(command, opts);
    try {
      const init = await c.request("initialize", { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "portcullis-scan", version: "0.1.0" } });
      c.serverInfo = init.serverInfo as StdioMcpClient["serverInfo"];
      c.capabilities = (init.capabilities as Record<string, unknown>) ?? {};
      c.notify("notifications/initialized");
      return c;
    } catch (e) {
      c.close();
      throw e;
    }
  }

  get stderr(): string {
    return this.stderrTail;
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
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin.end();
      const t = setTimeout(() => this.child.kill("SIGKILL"), 1000);
      t.unref();
      this.child.kill("SIGTERM");
    }
  }

  private send(msg: Record<string, unknown>): void {
    if (this.child.stdin.writable) this.child.stdin.write(JSON.stringify(msg) + "\n");
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
