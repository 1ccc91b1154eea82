/** The streams a CLI command uses, injectable so commands can be tested in-process. */
export interface CliIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A subcommand: receives the arguments after its name, returns the exit code (SPEC: 0 ok, 1 findings, 2 usage/config). */
export type Command = (args: string[], io: CliIO) => Promise<number>;

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
