import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JsonlAuditLog, type JsonlAuditLogOptions } from "../../src/audit/jsonl-audit-log.js";

export const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-audit-"));

/** Writes `n` tool_call lines to a fresh log and returns its path. */
export async function writeLog(n: number, opts: JsonlAuditLogOptions = {}, dir = tmpDir()): Promise<string> {
  const file = path.join(dir, "audit.jsonl");
  const log = new JsonlAuditLog(file, opts);
  for (let i = 1; i <= n; i++) {
    log.record({ event: "tool_call", severity: "info", server: "files", tool: `tool_${i}`, args: { i }, decision: "allow", ok: true, latency_ms: i });
  }
  await log.close();
  return file;
}

export const readLines = (file: string): string[] => fs.readFileSync(file, "utf8").split("\n").filter(Boolean);
export const writeLines = (file: string, lines: string[]): void => fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(""));
