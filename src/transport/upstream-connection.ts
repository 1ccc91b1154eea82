import { BatchedWriter } from "./batched-writer.js";
import { LineFramer, recoverId } from "./line-framer.js";
import { spawnUpstream, type UpstreamChild } from "./upstream-process.js";

export interface UpstreamEvents {
  line(text: string, bytes: number): void;
  oversize(id: string | number | null, bytes: number): void;
  invalidUtf8(id: string | number | null, bytes: number): void;
  /** The child is gone; `expected` when we asked it to stop. */
  closed(how: string, code: number | null, expected: boolean): void;
  /** It could not be started at all (ENOENT, EACCES). */
  failed(error: Error): void;
}

/**
 * One running stdio MCP server: spawn, newline framing with the response size limit, batched
 * writes, and an orderly stop (stdin closed, SIGTERM, then SIGKILL after a grace period).
 */
export class UpstreamConnection {
  readonly child: UpstreamChild;
  private readonly writer: BatchedWriter;
  private readonly framer: LineFramer;
  private stopping = false;
  private outputClosed = false;

  constructor(command: readonly string[], opts: { env?: Record<string, string>; cwd?: string; maxLineBytes: number; graceMs?: number; stderr?: (chunk: Buffer) => void }, on: UpstreamEvents) {
    this.child = spawnUpstream(command, { env: opts.env, cwd: opts.cwd, stderr: opts.stderr ? "pipe" : "inherit" });
    if (opts.stderr && this.child.stderr) this.child.stderr.on("data", opts.stderr);
    this.writer = new BatchedWriter((d) => {
      if (this.child.stdin.writable) this.child.stdin.write(d);
    });
    this.framer = new LineFramer(opts.maxLineBytes, {
      line: on.line,
      oversize: (head, tail, bytes) => on.oversize(recoverId(head, tail), bytes),
      invalidUtf8: (head, bytes) => on.invalidUtf8(recoverId(head, ""), bytes),
    });
    const grace = opts.graceMs ?? 3000;
    this.stop = (signal = true) => {
      this.writer.flush(); // what the client sent last still reaches the server before its stdin closes
      if (this.stopping) return;
      this.stopping = true;
      this.child.stdin.end();
      if (signal && this.child.exitCode === null && this.child.signalCode === null) {
        this.child.kill("SIGTERM");
        setTimeout(() => this.child.kill("SIGKILL"), grace).unref();
      } else if (!signal) {
        setTimeout(() => this.child.kill("SIGTERM"), grace).unref();
      }
    };
    this.child.stdin.on("error", () => {}); // surfaces as 'close'
    this.child.stdout.on("data", (chunk: Buffer) => this.framer.push(chunk));
    // An upstream that closed its output can never answer again, even if the process lingers:
    // treat it as gone now rather than letting every call wait for its timeout.
    this.child.stdout.on("end", () => {
      if (this.stopping) return;
      // A crashing process closes its output just before it exits: give it a moment, so the exit
      // (and its code) is what gets reported; only a process that lingers is stopped here.
      setTimeout(() => {
        if (this.stopping || this.child.exitCode !== null || this.child.signalCode !== null) return;
        this.outputClosed = true;
        this.child.kill("SIGTERM");
        setTimeout(() => this.child.kill("SIGKILL"), grace).unref();
      }, 200).unref();
    });
    this.child.on("error", (e) => on.failed(e));
    this.child.on("close", (code, signal) => {
      this.framer.end();
      const how = this.outputClosed ? "closed its output" : signal ? `was killed by ${signal}` : `exited with code ${code}`;
      on.closed(how, code, this.stopping);
    });
  }

  /** Stops the child. `signal: false` only closes stdin and gives it the grace period to exit. */
  readonly stop: (signal?: boolean) => void;

  write(line: string): void {
    this.writer.write(line);
  }

  /** Runs `fn` with writes batched into one syscall. */
  batch(fn: () => void): void {
    this.writer.cork();
    try {
      fn();
    } finally {
      this.writer.uncork();
    }
  }
}
