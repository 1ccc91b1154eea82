import fs from "node:fs";
import { GENESIS_HASH } from "./chain-hash.js";

/** Where an existing file's chain ends: last seq and hash, and whether a torn last line needs a newline. */
export function readChainTail(file: string): { seq: number; hash: string; needsNewline: boolean } {
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
        const r = JSON.parse(lines[i]!) as { seq?: unknown; hash?: unknown };
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

/** The first whole line's seq and ts (rotation names segments by it and rotates by its day). */
export function readChainHead(file: string): { seq: number; ts?: string } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    for (const l of buf.subarray(0, n).toString("utf8").split("\n")) {
      try {
        const r = JSON.parse(l) as { seq?: unknown; ts?: unknown };
        if (typeof r.seq === "number") return { seq: r.seq, ts: typeof r.ts === "string" ? r.ts : undefined };
      } catch {
        // Torn or partial: look at the next line.
      }
    }
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
