import { PassThrough, Readable } from "node:stream";
import type { Command } from "../../src/cli/cli-io.js";

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs a CLI command (or `main`) in-process with captured streams; `stdin` is fed as given. */
export async function runCli(command: Command, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const stdin = opts.stdin === undefined ? new PassThrough() : Readable.from([Buffer.from(opts.stdin)]);
  if (opts.stdin === undefined) (stdin as PassThrough).end();
  const code = await command(args, { stdin, stdout, stderr, env: opts.env ?? {}, cwd: opts.cwd ?? process.cwd() });
  return { code, out, err };
}
