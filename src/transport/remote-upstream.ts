import { ERROR_CODES } from "../errors/error-codes.js";
import { ConfigError } from "../errors/portcullis-error.js";
import { recoverId } from "./line-framer.js";
import type { UpstreamEvents } from "./upstream-connection.js";

export interface RemoteUpstreamOptions {
  /** Sent on every request: the upstream credentials from the config (never the caller's). */
  headers?: Record<string, string>;
  maxLineBytes: number;
  /** How long to wait for the response headers of one POST; the relay times out the call itself. */
  timeoutMs?: number;
  /** Refuse plain http:// unless the host is loopback. */
  requireHttps?: boolean;
  /** How long `stop(false)` lets requests in flight finish before ending the session. */
  graceMs?: number;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** Why `url` cannot be used as an upstream, or undefined when it can. */
export function remoteUrlProblem(url: string, requireHttps: boolean): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `\`url: ${url}\` is not a valid URL`;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return `\`url: ${url}\` must be an http(s) URL (Streamable HTTP)`;
  if (u.protocol === "http:" && requireHttps && !LOOPBACK.test(u.hostname)) {
    return `\`url: ${url}\` is plain http:// to a non-loopback host; use https:// (or set require_https: false for this server)`;
  }
  return undefined;
}

/**
 * One remote MCP server over Streamable HTTP (2025-11-25 sessions), with the same events as a stdio
 * `UpstreamConnection`: every JSON-RPC line is POSTed, the reply (a JSON body or an SSE stream) is cut
 * into messages, each one reported through `line` (or `oversize` / `invalidUtf8`). The session id and
 * protocol version from `initialize` go on every later request; `stop()` DELETEs the session.
 */
export class RemoteUpstream {
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly abort = new AbortController();
  private sessionId?: string;
  private protocolVersion?: string;
  /** Settles once the initialize response's headers arrived: later messages need its session id. */
  private initDone: Promise<void> = Promise.resolve();
  private releaseInit?: () => void;
  private inFlight = 0;
  private drained?: () => void;
  private stopping = false;
  private ended = false;
  private stream?: Promise<void>;

  constructor(
    url: string,
    private readonly opts: RemoteUpstreamOptions,
    private readonly on: UpstreamEvents,
  ) {
    const problem = remoteUrlProblem(url, opts.requireHttps ?? false);
    if (problem) throw new ConfigError(problem);
    this.url = url;
    this.headers = { ...opts.headers };
  }

  write(line: string): void {
    if (this.stopping || this.ended) return;
    void this.send(line);
  }

  /** Each message is its own POST: nothing to batch. */
  batch(fn: () => void): void {
    fn();
  }

  /** Ends the session (DELETE). `signal: false` lets requests in flight finish first (up to the grace period). */
  stop(signal = true): void {
    if (this.stopping || this.ended) return;
    this.stopping = true;
    const finish = () => {
      this.abort.abort();
      const sid = this.sessionId;
      const done = () => this.end("was shut down", true);
      if (!sid) return void setImmediate(done);
      fetch(this.url, { method: "DELETE", headers: this.requestHeaders(), signal: AbortSignal.timeout(2000) })
        .then((r) => r.body?.cancel())
        .catch(() => {})
        .finally(done);
    };
    if (signal || this.inFlight === 0) return finish();
    const t = setTimeout(finish, this.opts.graceMs ?? 3000);
    t.unref();
    this.drained = () => {
      clearTimeout(t);
      finish();
    };
  }

  private requestHeaders(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...this.headers, ...extra };
    if (this.sessionId) h["mcp-session-id"] = this.sessionId;
    if (this.protocolVersion) h["mcp-protocol-version"] = this.protocolVersion;
    return h;
  }

  private end(how: string, expected: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.abort.abort();
    this.on.closed(how, null, expected);
  }

  private async send(line: string): Promise<void> {
    let msg: Record<string, unknown> = {};
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // the relay only sends JSON; anything else goes out as is and the server says what it thinks
    }
    const id = typeof msg.method === "string" && (typeof msg.id === "string" || typeof msg.id === "number") ? msg.id : undefined;
    const isInit = msg.method === "initialize";
    this.inFlight++;
    try {
      let release: (() => void) | undefined;
      if (isInit) this.initDone = new Promise((r) => (release = r));
      else await this.initDone;
      try {
        if (this.ended || this.abort.signal.aborted) return;
        const signals = [this.abort.signal];
        if (this.opts.timeoutMs) signals.push(AbortSignal.timeout(this.opts.timeoutMs));
        let res: Response;
        try {
          res = await fetch(this.url, {
            method: "POST",
            headers: this.requestHeaders({ "content-type": "application/json", accept: "application/json, text/event-stream" }),
            body: line,
            signal: AbortSignal.any(signals),
          });
        } catch (e) {
          if (this.abort.signal.aborted) return;
          if ((e as Error).name === "TimeoutError") {
            if (id !== undefined) this.errorLine(id, `did not start answering within ${this.opts.timeoutMs} ms`);
            return;
          }
          this.end(`could not be reached (${describe(e)})`, false);
          return;
        }
        if (isInit && res.ok) {
          this.sessionId = res.headers.get("mcp-session-id") ?? undefined;
        }
        // Later messages wait for the initialize result too: it names the protocol version they carry.
        if (isInit) {
          const r = release;
          this.releaseInit = () => {
            this.releaseInit = undefined;
            r?.();
          };
        }
        else release?.();
        release = undefined;
        await this.handle(res, id, isInit);
        if (isInit) this.releaseInit?.();
      } finally {
        release?.();
        if (isInit) this.releaseInit?.();
      }
    } catch (e) {
      if (!this.abort.signal.aborted) this.end(`broke off a reply (${describe(e)})`, false);
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) this.drained?.();
    }
  }

  private async handle(res: Response, id: string | number | undefined, isInit: boolean): Promise<void> {
    if (res.status === 202 || (res.ok && !res.body)) {
      await res.body?.cancel();
      return;
    }
    const type = (res.headers.get("content-type") ?? "").toLowerCase();
    if (!res.ok) {
      if (res.status === 404 && this.sessionId && !isInit) {
        await res.body?.cancel();
        this.end("ended the session (HTTP 404)", false);
        return;
      }
      const body = await readCapped(res, 64 * 1024);
      if (id === undefined) return;
      // A JSON-RPC error for this very request is the server's own answer: pass it on.
      try {
        const m = JSON.parse(body) as Record<string, unknown>;
        if (m.id === id && m.error) return this.emit(Buffer.from(JSON.stringify(m)), isInit);
      } catch {
        // not JSON: described below
      }
      const hint = res.status === 401 || res.status === 403 ? " (check the credentials in `headers`)" : "";
      this.errorLine(id, `answered HTTP ${res.status}${hint}${body ? `: ${body.slice(0, 200).trim()}` : ""}`);
      return;
    }
    if (type.includes("text/event-stream")) return this.readSse(res, isInit);
    // A JSON body: one message (or a batch of them).
    const max = this.opts.maxLineBytes;
    const chunks: Buffer[] = [];
    let bytes = 0;
    let head = "";
    for await (const c of res.body as AsyncIterable<Uint8Array>) {
      bytes += c.byteLength;
      if (bytes <= max) chunks.push(Buffer.from(c));
      else if (!head) head = Buffer.concat(chunks).toString("utf8", 0, 1024);
    }
    if (bytes > max) return this.on.oversize(id ?? recoverId(head, ""), bytes);
    const buf = Buffer.concat(chunks);
    const text = decode(buf);
    if (text === undefined) return this.on.invalidUtf8(id ?? recoverId(buf.toString("utf8", 0, 1024), ""), bytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.on.line(text.replace(/\r?\n/g, " "), bytes); // the relay reports it as malformed
      return;
    }
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) this.emit(Buffer.from(JSON.stringify(m)), isInit);
  }

  /** Server-sent events: each event's `data` is one JSON-RPC message. */
  private async readSse(res: Response, isInit: boolean): Promise<void> {
    const max = this.opts.maxLineBytes;
    let pending = Buffer.alloc(0);
    let data: Buffer[] = [];
    let dataBytes = 0;
    let head = "";
    let tail = "";
    const dispatch = () => {
      if (dataBytes > max) this.on.oversize(recoverId(head, tail), dataBytes);
      else if (data.length > 0) this.emit(Buffer.concat(data), isInit);
      data = [];
      dataBytes = 0;
      head = tail = "";
    };
    const field = (lineBuf: Buffer) => {
      if (lineBuf.length === 0) return dispatch();
      const colon = lineBuf.indexOf(0x3a);
      const name = (colon === -1 ? lineBuf : lineBuf.subarray(0, colon)).toString("latin1");
      if (name !== "data") return; // event, id, retry and comments change nothing here
      let value = colon === -1 ? Buffer.alloc(0) : lineBuf.subarray(colon + 1);
      if (value[0] === 0x20) value = value.subarray(1);
      const add = (data.length > 0 ? 1 : 0) + value.length;
      dataBytes += add;
      if (dataBytes <= max) {
        if (data.length > 0) data.push(Buffer.from(" ")); // JSON cannot hold a raw newline in a string: a space joins lines safely
        data.push(Buffer.from(value));
      } else {
        if (!head) head = Buffer.concat([...data, value]).toString("utf8", 0, 1024);
        data = [];
        tail = (tail + value.toString("utf8")).slice(-1024);
      }
    };
    for await (const c of res.body as AsyncIterable<Uint8Array>) {
      pending = pending.length ? Buffer.concat([pending, Buffer.from(c)]) : Buffer.from(c);
      let start = 0;
      for (;;) {
        const nl = pending.indexOf(0x0a, start);
        if (nl === -1) break;
        let end = nl;
        if (end > start && pending[end - 1] === 0x0d) end--;
        field(pending.subarray(start, end));
        start = nl + 1;
      }
      pending = pending.subarray(start);
      if (pending.length > max + 64) {
        // one endless line: count it towards the event and drop what we hold
        dataBytes += pending.length;
        if (!head) head = pending.toString("utf8", 0, 1024);
        pending = Buffer.alloc(0);
      }
    }
    if (pending.length) field(pending);
    dispatch();
  }

  private emit(buf: Buffer, isInit: boolean): void {
    const text = decode(buf);
    if (text === undefined) return this.on.invalidUtf8(recoverId(buf.toString("utf8", 0, 1024), ""), buf.length);
    if (isInit && this.releaseInit) {
      try {
        const m = JSON.parse(text) as { method?: unknown; result?: { protocolVersion?: unknown } };
        if (m.method === undefined) {
          const v = m.result?.protocolVersion;
          if (typeof v === "string") {
            this.protocolVersion = v;
            this.openStream();
          }
          this.releaseInit();
        }
      } catch {
        // the relay reports it
      }
    }
    if (this.ended) return;
    this.on.line(text, buf.length);
  }

  /** The standalone GET stream for server-initiated messages, when the server offers one. */
  private openStream(): void {
    if (this.stream || !this.sessionId) return;
    this.stream = (async () => {
      await new Promise((r) => setImmediate(r)); // after notifications/initialized went out
      if (this.ended || this.stopping) return;
      try {
        const res = await fetch(this.url, { method: "GET", headers: this.requestHeaders({ accept: "text/event-stream" }), signal: this.abort.signal });
        if (!res.ok || !(res.headers.get("content-type") ?? "").includes("text/event-stream")) {
          await res.body?.cancel();
          return; // 405: the server has no such stream
        }
        await this.readSse(res, false);
      } catch {
        // a lost GET stream only loses unsolicited notifications; POSTs report real failures
      }
    })();
  }

  private errorLine(id: string | number, what: string): void {
    const host = safeHost(this.url);
    const meta = { code: "UPSTREAM_UNAVAILABLE", layer: "transport", rule: "remote-http" };
    const line = JSON.stringify({ jsonrpc: "2.0", id, error: { code: ERROR_CODES.UPSTREAM_UNAVAILABLE.rpc, message: `Remote upstream ${host} ${what}.`, data: { portcullis: meta } } });
    this.on.line(line, Buffer.byteLength(line));
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
function decode(buf: Buffer): string | undefined {
  try {
    return utf8.decode(buf);
  } catch {
    return undefined;
  }
}

async function readCapped(res: Response, cap: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const c of res.body as AsyncIterable<Uint8Array>) {
      if (n < cap) chunks.push(Buffer.from(c));
      n += c.byteLength;
    }
  } catch {
    // what we have is enough to describe the error
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, cap);
}

function describe(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(bad url)";
  }
}
