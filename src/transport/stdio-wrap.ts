import type { ApprovalBroker } from "../approvals/approval-broker.js";
import type { AuditLog } from "../audit/audit-record.js";
import type { ServerPolicy } from "../config/server-policy.js";
import type { Pipeline } from "../pipeline/pipeline.js";
import { MessageRelay } from "../proxy/message-relay.js";
import { BatchedWriter } from "./batched-writer.js";
import { LineFramer, recoverId } from "./line-framer.js";
import { describeUpstream, openUpstream, type Upstream } from "./open-upstream.js";

export interface StdioWrapOptions {
  server: ServerPolicy;
  /** The stdio server to spawn; empty or absent = the server's `command`, else its `url`. */
  command?: readonly string[];
  pipeline: Pipeline;
  audit: AuditLog;
  caller?: string;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  log?: (line: string) => void;
  /** How long the child gets to exit after SIGTERM before SIGKILL. */
  killGraceMs?: number;
  /** Settles calls held for approval; absent = refused at once (APPROVAL_REQUIRED). */
  approvals?: ApprovalBroker;
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

  return new Promise<number>((resolve) => {
    // The upstream's callbacks need the relay and the relay needs the upstream: tie the knot late.
    // eslint-disable-next-line prefer-const
    let relay: MessageRelay | undefined;
    let exitCode: number | undefined; // decided by a deliberate shutdown
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      process.off("SIGINT", onSigint);
      process.off("SIGTERM", onSigterm);
      stdin.off("data", onStdinData);
      toClient.flush(); // replies still batched for this turn must go out before we exit
      opts.audit.flush();
      resolve(code);
    };
    const corked = (fn: () => void) => {
      toClient.cork();
      upstream.batch(() => {
        try {
          fn();
        } finally {
          toClient.uncork();
        }
      });
    };

    // Write-ahead, one flush per batch: audit lines reach the file before the replies they describe,
    // and a result whose line could not be written is swapped for an AUDIT_UNAVAILABLE refusal.
    const toClient = new BatchedWriter(
      (d) => stdout.write(d),
      () => {
        opts.audit.flush();
        return opts.audit.healthy;
      },
    );
    let upstream: Upstream;
    const named = describeUpstream(opts.server, opts.command);
    try {
      upstream = openUpstream(opts.server, { command: opts.command, graceMs: opts.killGraceMs }, {
        line: (text, bytes) => corked(() => relay!.fromUpstream(text, bytes)),
        oversize: (id, bytes) => corked(() => relay!.rejectUpstreamFrame(id, bytes)),
        invalidUtf8: (id, bytes) => corked(() => relay!.rejectUpstreamFrame(id, bytes, "invalid-utf8")),
        failed: (e) => {
          log(`cannot start upstream \`${named}\`: ${e.message}`);
          corked(() => relay!.upstreamClosed(`could not be started (${e.message})`));
          finish(1);
        },
        closed: (how, code, expected) => {
          if (expected || exitCode !== undefined) {
            corked(() => relay!.upstreamClosed("was shut down", true));
            finish(exitCode ?? 0);
            return;
          }
          log(`upstream \`${named}\` ${how}`);
          corked(() => relay!.upstreamClosed(how));
          finish(code && code > 0 ? code : 1);
        },
      });
    } catch (e) {
      log(`cannot start upstream: ${(e as Error).message}`);
      resolve(1);
      return;
    }
    relay = new MessageRelay({
      server: opts.server, pipeline: opts.pipeline, audit: opts.audit, caller: opts.caller, log, approvals: opts.approvals,
      endpoints: { toClient: (l, unaudited) => toClient.write(l, unaudited), toUpstream: (l) => upstream.write(l) },
    });

    const fromClient = new LineFramer(opts.server.maxRequestBytes, {
      line: (text) => relay!.fromClient(text),
      oversize: (head, tail, bytes) => relay!.rejectClientFrame(recoverId(head, tail), "MESSAGE_TOO_LARGE", bytes),
      invalidUtf8: (head, bytes) => relay!.rejectClientFrame(recoverId(head, ""), "INVALID_UTF8", bytes),
    });
    const stop = (code: number, signal: boolean) => {
      if (exitCode !== undefined) return;
      exitCode = code;
      upstream.stop(signal);
    };
    const onSigint = () => stop(130, true);
    const onSigterm = () => stop(143, true);
    const onStdinData = (chunk: Buffer) => corked(() => fromClient.push(chunk));
    process.on("SIGINT", onSigint);
    process.on("SIGTERM", onSigterm);
    stdin.on("data", onStdinData);
    // The client is done: let the server finish what it has, then exit.
    stdin.on("end", () => {
      corked(() => fromClient.end());
      stop(0, false);
    });
    stdout.on("error", () => stop(0, true)); // client went away (EPIPE)
  });
}
