import fs from "node:fs";
import path from "node:path";
import type { AuditEntry, AuditLog } from "./audit-record.js";
import type { AuditSink } from "./audit-sink.js";
import { chainHasher, type ChainHasher } from "./chain-hash.js";
import { segmentFile, segmentsOf, writerFile } from "./chain-files.js";
import { readChainHead, readChainTail } from "./chain-tail.js";
import { FileLock } from "./file-lock.js";
import { IsoClock, lineBody } from "./line-body.js";

export { GENESIS_HASH } from "./chain-hash.js";

export interface RotationOptions {
  /** Start a new file once the active one would exceed this many bytes. */
  maxBytes?: number;
  /** Start a new file when the UTC date changes. */
  daily?: boolean;
}

export interface JsonlAuditLogOptions {
  onError?: (e: Error) => void;
  /** HMAC key: lines are signed so that a writer without the key cannot produce a valid chain. */
  hmacKey?: string | Buffer;
  rotate?: RotationOptions;
  /** Extra destinations for every line (stdout, syslog, HTTP, alert webhooks). */
  sinks?: AuditSink[];
  /**
   * Take `<file>.lock`; if another live process holds it, write a sibling chain (audit.w1.jsonl, ...)
   * instead of forking this one. Default true. Not applied to non-regular files (/dev/null).
   */
  lock?: boolean;
  /** Clock, for rotation tests. */
  now?: () => Date;
}

const MAX_WRITERS = 64;

/**
 * Append-only JSONL audit log. Each line carries `seq`, `prev` (hash of the previous line) and its
 * own `hash`, continuing the chain of an existing file. Lines are buffered for one event-loop turn
 * and written with one append, so a burst costs one syscall; `flush()` writes synchronously (the
 * relay calls it before each reply: write-ahead). Rotation happens in `flush()`, between lines, and
 * the chain continues across files (the new file's first `prev` is the old file's last `hash`).
 */
/** Unwritten audit data kept in memory while the disk refuses writes (tool calls are refused meanwhile). */
const MAX_UNWRITTEN = 64 * 1024 * 1024;

export class JsonlAuditLog implements AuditLog {
  /** The file actually written (a sibling `.wN` file when another process holds the configured one). */
  path: string;
  private fd: number | undefined;
  private seq: number;
  private prev: string;
  /** `prev` as JSON text, ready to splice into the next line. */
  private prevJson: string;
  private readonly clock = new IsoClock();
  private buffer: string[] = [];
  private scheduled = false;
  private failed = false;
  private lastRetry = -Infinity;
  private unrecorded = 0;
  /** Bytes a failed write left unwritten; written first next time, so the chain never has a hole. */
  private unwritten?: Buffer;
  private readonly onError: (e: Error) => void;
  private readonly hash: ChainHasher;
  private readonly sinks: AuditSink[];
  private readonly rotate: RotationOptions;
  private readonly now: () => Date;
  private lock: FileLock | undefined;
  private regular = false;
  private size = 0;
  private firstSeq = 0;
  private day = "";

  constructor(file: string, opts: JsonlAuditLogOptions = {}) {
    const configured = path.resolve(file);
    this.path = configured;
    this.onError = opts.onError ?? ((e) => process.stderr.write(`portcullis: audit log ${this.path}: ${e.message}\n`));
    this.hash = chainHasher(opts.hmacKey);
    this.sinks = opts.sinks ?? [];
    this.rotate = { ...opts.rotate };
    this.now = opts.now ?? (() => new Date());
    fs.mkdirSync(path.dirname(configured), { recursive: true });
    if (opts.lock !== false && !isSpecialFile(configured)) this.path = this.acquire(configured);
    let tail = readChainTail(this.path);
    if (tail.seq === 0) {
      // The active file is new or empty after a rotation: the chain continues from the newest segment.
      const last = segmentsOf(this.path).pop();
      if (last) tail = { ...readChainTail(last), needsNewline: tail.needsNewline };
    }
    this.seq = tail.seq;
    this.prev = tail.hash;
    this.prevJson = JSON.stringify(tail.hash);
    this.open(tail.needsNewline);
  }

  /** False while lines cannot be written; retries at most once a second, so the log recovers by itself. */
  get healthy(): boolean {
    if (this.failed && performance.now() - this.lastRetry > 1000) {
      this.lastRetry = performance.now();
      this.flush();
    }
    return !this.failed;
  }

  record(entry: AuditEntry): string {
    if (this.unwritten && this.unwritten.length > MAX_UNWRITTEN) {
      // Memory bound while the disk refuses writes: stop recording without advancing the chain, so
      // what is on disk still verifies. Tool calls are refused meanwhile (healthy is false).
      if (this.unrecorded++ === 0) this.onError(new Error(`more than ${MAX_UNWRITTEN} bytes are waiting to be written; further audit lines are not recorded until the disk recovers`));
      return "au_unrecorded";
    }
    const seq = ++this.seq;
    // Serialise once: the hash covers the line without its `hash` field, which is appended last.
    // JSON.stringify drops undefined fields, so optional entry fields cost nothing when absent.
    const body = lineBody(seq, this.clock.now(), entry, this.prev, this.prevJson);
    const hash = this.hash(body);
    this.prev = hash;
    this.prevJson = `"${hash}"`; // hex, or "hmac:" and hex: nothing to escape
    const line = `${body.slice(0, -1)},"hash":"${hash}"}`;
    this.buffer.push(`${line}\n`);
    if (this.sinks.length > 0) this.toSinks(line, seq, entry);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return `au_${seq}_${hash.slice(hash.length - 64, hash.length - 56)}`;
  }

  flush(): void {
    this.scheduled = false;
    if ((this.buffer.length === 0 && !this.unwritten) || this.fd === undefined) return;
    const data = this.buffer.join("");
    this.buffer = [];
    // Usually the text goes to the file as it is (no Buffer copy in JS); bytes left over from a failed
    // write go first, as one Buffer.
    const out: string | Buffer = this.unwritten ? Buffer.concat([this.unwritten, Buffer.from(data)]) : data;
    const total = typeof out === "string" ? Buffer.byteLength(out) : out.length;
    let off = 0;
    try {
      if (this.regular && data !== "") this.maybeRotate(data);
      if (typeof out === "string") off = fs.writeSync(this.fd!, out);
      if (off < total) {
        const bytes = typeof out === "string" ? Buffer.from(out) : out;
        while (off < total) off += fs.writeSync(this.fd!, bytes, off);
      }
      if (this.size === 0 && this.firstSeq === 0) this.firstSeq = firstSeqOf(typeof out === "string" ? out : out.toString("utf8"));
      this.size += total;
      this.unwritten = undefined;
      this.failed = false;
    } catch (e) {
      if (!this.failed) this.onError(e as Error);
      this.failed = true;
      // Keep what was not written: the chain continues from it once the disk recovers.
      this.unwritten = (typeof out === "string" ? Buffer.from(out) : out).subarray(off);
      this.size += off;
    }
  }

  async close(): Promise<void> {
    this.flush();
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    this.lock?.release();
    this.lock = undefined;
    await Promise.all(this.sinks.map((s) => s.close().catch(() => {})));
  }

  private acquire(configured: string): string {
    for (let n = 0; n < MAX_WRITERS; n++) {
      const candidate = writerFile(configured, n);
      let lock: FileLock | undefined;
      try {
        lock = FileLock.tryAcquire(candidate);
      } catch {
        // Cannot create a lock here (read-only directory?): write unlocked, as before locks existed.
        return configured;
      }
      if (lock) {
        this.lock = lock;
        return candidate;
      }
    }
    this.onError(new Error(`${MAX_WRITERS} live writers hold locks on ${configured}; writing unlocked`));
    return configured;
  }

  private open(needsNewline: boolean): void {
    this.fd = fs.openSync(this.path, "a", 0o600);
    const st = fs.fstatSync(this.fd);
    this.regular = st.isFile();
    this.size = this.regular ? st.size : 0;
    if (this.regular && this.size > 0) {
      const head = readChainHead(this.path);
      this.firstSeq = head?.seq ?? 0;
      this.day = head?.ts?.slice(0, 10) ?? utcDay(this.now());
    } else {
      this.firstSeq = 0;
      this.day = utcDay(this.now());
    }
    if (needsNewline) {
      // A torn last line from a crash: end it so the next line starts clean (verify skips it).
      this.size += fs.writeSync(this.fd, "\n");
    }
  }

  private maybeRotate(data: string): void {
    const { maxBytes, daily } = this.rotate;
    if (this.size === 0 || (maxBytes === undefined && daily !== true)) return; // no clock read per flush when rotation is off
    const today = utcDay(this.now());
    const bySize = maxBytes !== undefined && this.size + Buffer.byteLength(data) > maxBytes;
    const byDay = daily === true && today !== this.day;
    if (!bySize && !byDay) return;
    const target = segmentFile(this.path, this.firstSeq || 1);
    if (fs.existsSync(target)) {
      this.onError(new Error(`cannot rotate: ${target} already exists; still writing ${this.path}`));
      this.rotate.maxBytes = undefined;
      this.rotate.daily = false;
      return;
    }
    fs.closeSync(this.fd!);
    this.fd = undefined;
    try {
      fs.renameSync(this.path, target);
    } catch (e) {
      // Keep writing the same file rather than lose lines; rotation stays off until restart.
      this.onError(new Error(`cannot rotate to ${target}: ${(e as Error).message}; still writing ${this.path}`));
      this.rotate.maxBytes = undefined;
      this.rotate.daily = false;
    }
    this.open(false);
    this.day = today;
  }

  private toSinks(line: string, seq: number, entry: AuditEntry): void {
    const rec = { seq, event: entry.event, severity: entry.severity };
    for (const s of this.sinks) {
      try {
        s.write(line, rec);
      } catch {
        // A sink must never break the data path; its own `dropped` counter shows the loss.
      }
    }
  }
}

const utcDay = (d: Date) => d.toISOString().slice(0, 10);

function firstSeqOf(data: string): number {
  const m = /^\{"seq":(\d+)/.exec(data);
  return m ? Number(m[1]) : 0;
}

function isSpecialFile(file: string): boolean {
  try {
    return !fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
