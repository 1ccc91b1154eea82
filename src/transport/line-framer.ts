const NEWLINE = 0x0a;
const KEEP = 4096;
const utf8 = new TextDecoder("utf-8", { fatal: true });

export interface FramerEvents {
  line(text: string, bytes: number): void;
  /** A line longer than the limit was discarded; head and tail are kept to recover its id. */
  oversize(head: string, tail: string, bytes: number): void;
  invalidUtf8(head: string, bytes: number): void;
}

/**
 * Newline-delimited JSON framing (the MCP stdio transport) with a hard size limit. Lines over the
 * limit are never buffered whole: we keep 4 KB from each end and count the rest, so a 100 MB line
 * costs 8 KB of memory. Bytes are validated as UTF-8 before anything parses them.
 */
export class LineFramer {
  private parts: Buffer[] = [];
  private partsLen = 0;
  private discarding = false;
  private head: Buffer = Buffer.alloc(0);
  private tail: Buffer = Buffer.alloc(0);
  private discarded = 0;

  constructor(private readonly maxBytes: number, private readonly on: FramerEvents) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        this.accumulate(chunk.subarray(start));
        return;
      }
      if (this.partsLen === 0 && !this.discarding && nl - start <= this.maxBytes) {
        // The usual case, a whole line inside one chunk: no copy, no parts list.
        this.emit(chunk.subarray(start, nl));
      } else {
        this.accumulate(chunk.subarray(start, nl));
        this.endLine();
      }
      start = nl + 1;
    }
  }

  /** End of stream: a final line without newline still counts. */
  end(): void {
    if (this.partsLen > 0 || this.discarding) this.endLine();
  }

  private accumulate(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.discarding) {
      this.discarded += piece.length;
      this.tail = keepTail(this.tail, piece);
      return;
    }
    if (this.partsLen + piece.length > this.maxBytes) {
      const whole = Buffer.concat([...this.parts, piece]);
      this.discarding = true;
      this.head = whole.subarray(0, KEEP);
      this.tail = whole.subarray(Math.max(KEEP, whole.length - KEEP));
      this.discarded = whole.length;
      this.parts = [];
      this.partsLen = 0;
      return;
    }
    this.parts.push(piece);
    this.partsLen += piece.length;
  }

  private endLine(): void {
    if (this.discarding) {
      const bytes = this.discarded;
      this.discarding = false;
      this.discarded = 0;
      this.on.oversize(this.head.toString("utf8"), this.tail.toString("utf8"), bytes);
      return;
    }
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.partsLen = 0;
    this.emit(buf);
  }

  /** One complete line (without its newline): a trailing CR dropped, validated as UTF-8, blank lines skipped. */
  private emit(line: Buffer): void {
    let buf = line;
    if (buf.length > 0 && buf[buf.length - 1] === 0x0d) buf = buf.subarray(0, buf.length - 1);
    if (buf.length === 0) return;
    let text: string;
    try {
      text = utf8.decode(buf);
    } catch {
      this.on.invalidUtf8(buf.subarray(0, KEEP).toString("utf8"), buf.length);
      return;
    }
    if (text.trim() === "") return;
    this.on.line(text, buf.length);
  }
}

function keepTail(tail: Buffer, piece: Buffer): Buffer {
  if (piece.length >= KEEP) return Buffer.from(piece.subarray(piece.length - KEEP));
  const joined = Buffer.concat([tail, piece]);
  return joined.subarray(Math.max(0, joined.length - KEEP));
}

/**
 * Recovers the top-level id of a message we could not keep whole. SDKs put `id` first or last, so
 * look at the tail's last occurrence, then the head's first. A wrong guess only misroutes an error
 * reply to a request that is pending anyway; undefined means we could not tell.
 */
export function recoverId(head: string, tail: string): string | number | null {
  const re = /"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")/g;
  const last = [...tail.matchAll(re)].pop() ?? head.match(/^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")/);
  if (!last) return null;
  try {
    return JSON.parse(last[1]!) as string | number;
  } catch {
    return null;
  }
}
