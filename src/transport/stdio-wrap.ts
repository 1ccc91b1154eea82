import type { AuditLog } from "../audit/audit-record.js";
import type { ServerPolicy } from "../config/server-policy.js";
import type { Pipeline } from "../pipeline/pipeline.js";
import { MessageRelay } from "../proxy/message-relay.js";
import { BatchedWriter } from "./batched-writer.js";
import { LineFramer, recoverId } from "./line-framer.js";
import { spawnUpstream } from "./upstream-process.js";

export interface StdioWrapOptions {
  server: ServerPolicy;
  command: readonly string[];
  pipeline: Pipeline;
  audit: AuditLog;
  caller?: string;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  log?: (line: string) => void;
  /** How long the child gets to exit after SIGTERM before SIGKILL. */
  killGraceMs?: number;
}

/**
 * `portcullis wrap`: the desktop client talks to us on stdin/stdout exactly as it would to the
 * server; we spawn the server and relay through the pipeline. Resolves with the exit code:
 * 0 after a clean shutdown (client closed stdin), the child's code (or 1) when the upstream died,
 * 128+n after a signal.
 */
export function runStdioWrap(opts: StdioWrapOptions): Promise<number> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const log = opts.log ?? ((l: string) => process.stderr.write(`portcullis: ${l}\n`));
  const graceMs = opts.killGraceMs ?? 3000;

  return new Promise<number>((resolve) => {
    let child: ReturnType<typeof spawnUpstream>;
    try {
      child = spawnUpstream(opts.command, { env: opts.server.env, cwd: opts.server.cwd });
    } catch (e) {
      log(`cannot start upstream: ${(e as Error).message}`);
      resolve(1);
      return;
    }
    // Write-ahead: audit lines reach the file before the replies they describe reach the client.
    const toClient = new BatchedWriter((d) => {
      opts.audit.flush();
      stdout.write(d);
    });
    const toUpstream = new BatchedWriter((d) => {
      if (child.stdin.writable) child.stdin.write(d);
    });
    const relay = new MessageRelay({
      server: opts.server, pipeline: opts.pipeline, audit: opts.audit, caller: opts.caller, log,
      endpoints: { toClient: (l) => toClient.write(l), toUpstream: (l) => toUpstream.write(l) },
    });
    const corked = (fn: () => void) => {
      toClient.cork();
      toUpstream.cork();
      try {
        fn();
      } finally {
        toClient.uncork();
        toUpstream.uncork();
      }
    };

    const fromClient = new LineFramer(opts.server.maxRequestBytes, {
      line: (text) => relay.fromClient(text),
      oversize: (head, tail, bytes) => relay.rejectClientFrame(recoverId(head, tail), "MESSAGE_TOO_LARGE", bytes),
      invalidUtf8: (head, bytes) => relay.rejectClientFrame(recoverId(head, ""), "INVALID_UTF8", bytes),
    });
    const fromUpstream = new LineFramer(opts.server.maxResponseBytes, {
      line: (text, bytes) => relay.fromUpstream(text, bytes),
      oversize: (head, tail, bytes) => relay.rejectUpstreamFrame(recoverId(head, tail), bytes),
      invalidUtf8: (head, bytes) => relay.rejectUpstreamFrame(recoverId(head, ""), bytes, "invalid-utf8"),
    });

    let stopping: number | undefined; // exit code decided by a deliberate shutdown
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      process.off("SIGINT", onSigint);
      process.off("SIGTERM", onSigterm);
      stdin.off("data", onStdinData);
      opts.audit.flush();
      resolve(code);
    };
    const stop = (code: number) => {
      if (stopping !== undefined) return;
      stopping = code;
      child.stdin.end();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), graceMs).unref();
      }
    };
    const onSigint = () => stop(130);
    const onSigterm = () => stop(143);
    const onStdinData = (chunk: Buffer) => corked(() => fromClient.push(chunk));
    process.on("SIGINT", onSigint);
    process.on("SIGTERM", onSigterm);

    stdin.on("data", onStdinData);
    stdin.on("end", () => {
      corked(() => fromClient.end());
      // The client is done: let the server finish what it has, then exit.
      if (stopping === undefined) {
        stopping = 0;
        child.stdin.end();
        setTimeout(() => child.kill("SIGTERM"), graceMs).unref();
      }
    });
    stdout.on("error", () => stop(0)); // client went away (EPIPE)
    child.stdin.on("error", () => {}); // reported through 'close' below
    child.stdout.on("data", (chunk: Buffer) => corked(() => fromUpstream.push(chunk)));
    child.on("error", (e) => {
      log(`cannot start upstream \`${opts.command.join(" ")}\`: ${e.message}`);
      corked(() => relay.upstreamClosed(`could not be started (${e.message})`));
      finish(1);
    });
    child.on("close", (code, signal) => {
      corked(() => fromUpstream.end());
      if (stopping !== undefined) {
        corked(() => relay.upstreamClosed("was shut down", true));
        finish(stopping);
        return;
      }
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      log(`upstream \`${opts.command.join(" ")}\` ${how}`);
      corked(() => relay.upstreamClosed(how));
      finish(code && code > 0 ? code : 1);
    });
  });
}
