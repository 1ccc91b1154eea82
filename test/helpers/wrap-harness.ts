import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const BIN = path.join(ROOT, "dist/cli/bin.js");
export const EVERYTHING = [process.execPath, path.join(ROOT, "node_modules/@modelcontextprotocol/server-everything/dist/index.js"), "stdio"];
export const FILESYSTEM = (dir: string) => [process.execPath, path.join(ROOT, "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"), dir];

export interface Wrapped {
  dir: string;
  configPath?: string;
  auditLines(): Record<string, unknown>[];
}

/** A temp dir holding a config (if given) and the state dir for one wrapped server. */
export function prepare(configYaml?: string): Wrapped {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-test-"));
  let configPath: string | undefined;
  if (configYaml !== undefined) {
    configPath = path.join(dir, "portcullis.yaml");
    fs.writeFileSync(configPath, configYaml);
  }
  return {
    dir,
    configPath,
    auditLines() {
      const f = path.join(dir, ".portcullis", "audit.jsonl");
      if (!fs.existsSync(f)) return [];
      return fs.readFileSync(f, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

export function wrapArgs(w: Wrapped, command: string[], extra: string[] = []): string[] {
  return [BIN, "wrap", ...(w.configPath ? ["-c", w.configPath] : []), "--state-dir", path.join(w.dir, ".portcullis"), ...extra, "--", ...command];
}

/** The real v1 SDK client connected through `portcullis wrap`. */
export async function connectV1(w: Wrapped, command: string[], extra: string[] = []): Promise<Client> {
  const client = new Client({ name: "portcullis-test", version: "1.0.0" }, { capabilities: {} });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: wrapArgs(w, command, extra), stderr: "ignore", cwd: w.dir }));
  return client;
}

/** A raw line-level session with `wrap`, for malformed input the SDK would never send. */
export class RawSession {
  readonly proc: ChildProcessWithoutNullStreams;
  private buf = "";
  private readonly queue: string[] = [];
  private waiters: ((l: string) => void)[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;

  constructor(args: string[], cwd: string) {
    this.proc = spawn(process.execPath, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout.setEncoding("utf8");
    this.proc.stdout.on("data", (d: string) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf("\n")) !== -1) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        const w = this.waiters.shift();
        if (w) w(line);
        else this.queue.push(line);
      }
    });
    this.proc.stderr.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => this.proc.on("exit", (code) => r(code)));
  }

  send(line: string | Buffer): void {
    this.proc.stdin.write(line);
    if (typeof line === "string" && !line.endsWith("\n")) this.proc.stdin.write("\n");
  }

  /** The next reply or error, skipping notifications and server requests. */
  async next(timeoutMs = 10_000): Promise<Record<string, unknown>> {
    for (;;) {
      const m = await this.nextMessage(timeoutMs);
      if (!("method" in m)) return m;
    }
  }

  nextMessage(timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const q = this.queue.shift();
    if (q !== undefined) return Promise.resolve(JSON.parse(q) as Record<string, unknown>);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no message within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push((l) => {
        clearTimeout(t);
        resolve(JSON.parse(l) as Record<string, unknown>);
      });
    });
  }

  /** Reads messages until one has the given id (skipping notifications). */
  async reply(id: unknown, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    for (;;) {
      const m = await this.next(timeoutMs);
      if (m.id === id) return m;
    }
  }

  async initialize(): Promise<void> {
    this.send(JSON.stringify({ jsonrpc: "2.0", id: "init", method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }));
    await this.reply("init");
    this.send(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
  }

  async close(): Promise<number | null> {
    this.proc.stdin.end();
    return this.exited;
  }
}
