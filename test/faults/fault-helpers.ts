import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../helpers/wrap-harness.js";

export const FAULTY = [process.execPath, path.join(ROOT, "test/fixtures/servers/faulty-server.mjs")];
export const RECORDING = [process.execPath, path.join(ROOT, "test/fixtures/servers/recording-server.mjs")];

/** A refused tools/call: an isError result carrying the Portcullis code (docs/errors.md). */
export function refusedCode(m: Record<string, unknown>): string | undefined {
  const r = m.result as { isError?: boolean; _meta?: { portcullis?: { code?: string } } } | undefined;
  if (r?.isError) return r._meta?.portcullis?.code;
  return (m.error as { data?: { portcullis?: { code?: string } } } | undefined)?.data?.portcullis?.code;
}

/** Peak resident set (VmHWM) of a process in MB, from /proc; undefined where /proc is missing. */
export function peakRssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export const call = (id: string | number, name: string, args: Record<string, unknown> = {}) =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
