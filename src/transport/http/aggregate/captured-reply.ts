import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";

type Obj = Record<string, unknown>;

/**
 * Stands in for the HTTP response a ModernChannel answers, so `/mcp` can ask one server's channel
 * (its relay, pipeline and audit) for a list and merge the reply instead of sending it. Implements
 * the part of ServerResponse a channel uses: writeHead/setHeader/write/end and the `close` event.
 * Resolves with the JSON-RPC reply (plain JSON, or the last `data:` of an SSE body), or undefined
 * when nothing usable came before `timeoutMs`.
 */
export class CapturedReply extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  readonly reply: Promise<Obj | undefined>;
  private readonly chunks: string[] = [];
  private resolve!: (v: Obj | undefined) => void;
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    super();
    this.reply = new Promise((r) => (this.resolve = r));
    this.timer = setTimeout(() => this.finish(undefined), timeoutMs);
    this.timer.unref();
  }

  get res(): ServerResponse {
    return this as unknown as ServerResponse;
  }

  writeHead(status: number): this {
    this.statusCode = status;
    this.headersSent = true;
    return this;
  }

  setHeader(): this {
    return this;
  }

  write(chunk: unknown): boolean {
    this.chunks.push(String(chunk));
    return true;
  }

  end(chunk?: unknown): this {
    if (chunk !== undefined && chunk !== null) this.chunks.push(String(chunk));
    this.headersSent = true;
    this.finish(parseReply(this.chunks.join("")));
    return this;
  }

  private finish(v: Obj | undefined): void {
    if (this.writableEnded) return;
    this.writableEnded = true;
    clearTimeout(this.timer);
    this.resolve(v);
    this.emit("close");
  }
}

function parseReply(text: string): Obj | undefined {
  const tryParse = (t: string) => {
    try {
      const v: unknown = JSON.parse(t);
      return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
    } catch {
      return undefined;
    }
  };
  const direct = tryParse(text);
  if (direct) return direct;
  const data = text.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim());
  for (let i = data.length - 1; i >= 0; i--) {
    const v = tryParse(data[i]!);
    if (v && !("method" in v)) return v;
  }
  return undefined;
}
