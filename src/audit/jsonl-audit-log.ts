import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { AuditEntry, AuditLog, AuditRecord } from "./audit-record.js";

export const GENESIS_HASH = "0".repeat(64);

/**
 * Append-only JSONL audit log. Each line carries `seq`, `prev` (hash of the previous line) and its
 * own `hash`, continuing the chain of an existing file. Lines are buffered for one event-loop turn
 * and written with one append, so a burst costs one syscall; `flush()` writes synchronously (used
 * on exit so nothing is lost).
 */
export class JsonlAuditLog implements AuditLog {
  readonly path: string;
  private fd: number | undefined;
  private seq: number;
  private prev: string;
  private buffer: string[] = [];
  private scheduled = false;
  private failed = false;
  private readonly onError: (e: Error) => void;

  constructor(file: string, opts: { onError?: (e: Error) => void } = {}) {
    this.path = path.resolve(file);
    this.onError = opts.onError ?? ((e) => process.stderr.write(`portcullis: audit log ${this.path}: ${e.message}\n`));
    fs.mkdirSync(path.dirname(this.path), { recursive: true });
    const tail = readChainTail(this.path);
    this.seq = tail.seq;
    this.prev = tail.hash;
    this.fd = fs.openSync(this.path, "a", 0o600);
    if (tail.needsNewline) fs.writeSync(this.fd, "\n");
  }

  get healthy(): boolean {
    return !this.failed;
  }

  record(entry: AuditEntry): string {
    const seq = ++this.seq;
    // Serialise once: the hash covers the line without its `hash` field, which is appended last.
    // JSON.stringify drops undefined fields, so optional entry fields cost nothing when absent.
    const body = JSON.stringify({ seq, ts: new Date().toISOString(), ...entry, prev: this.prev });
    const hash = createHash("sha256").update(body).digest("hex");
    this.prev = hash;
    this.buffer.push(`${body.slice(0, -1)},"hash":"${hash}"}\n`);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return `au_${seq}_${hash.slice(0, 8)}`;
  }

  flush(): void {
    this.scheduled = false;
    if (this.buffer.length === 0 || this.fd === undefined) return;
    const data = this.buffer.join("");
    this.buffer = [];
    try {
      fs.writeSync(this.fd, data);
    } catch (e) {
      if (!this.failed) this.onError(e as Error);
      this.failed = true;
    }
  }

  async close(): Promise<void> {
    this.flush();
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}

/** Where an existing file's chain ends: last seq and hash, and whether a torn last line needs a newline. */
function readChainTail(file: string): { seq: number; hash: string; needsNewline: boolean } {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return { seq: 0, hash: GENESIS_HASH, needsNewline: false };
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return { seq: 0, hash: GENESIS_HASH, needsNewline: false };
    const len = Math.min(size, 1 << 20);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    const text = buf.toString("utf8");
    const needsNewline = !text.endsWith("\n");
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const r = JSON.parse(lines[i]!) as Partial<AuditRecord>;
        if (typeof r.seq === "number" && typeof r.hash === "string") return { seq: r.seq, hash: r.hash, needsNewline };
      } catch {
        // A torn line from a crash: skip it, the chain continues from the last whole line.
      }
    }
    return { seq: 0, hash: GENESIS_HASH, needsNewline };
  } finally {
    fs.closeSync(fd);
  }
}

