import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { prettyCanonical } from "./canonical-json.js";

/** A tool definition the operator trusts (first use, or approved). */
export interface ToolPin {
  hash: string;
  /** Hash without name/title, for rename detection; absent for bare definitions. */
  shape?: string;
  /** The definition as pinned (minus `_meta`), so a change can be shown as a diff. */
  definition: Record<string, unknown>;
  pinned_at: string;
  /** "first-use" (trust on first use) or "approved" (`portcullis pins approve`). */
  via: "first-use" | "approved";
}

/** Why a listed tool waits for approval. */
export type PendingReason = "changed" | "new" | "renamed";

/** A definition seen but not trusted: not listed, not callable (review mode: callable after approval). */
export interface PendingPin {
  reason: PendingReason;
  hash: string;
  shape?: string;
  definition: Record<string, unknown>;
  seen_at: string;
  /** For "renamed": the pinned tool whose definition this is. */
  renamed_from?: string;
}

export interface ServerPins {
  tools: Record<string, ToolPin>;
  pending: Record<string, PendingPin>;
}

/** `pins.lock.json`: reviewable and committable (sorted keys, one definition per pin). */
export interface PinsLock {
  version: 1;
  servers: Record<string, ServerPins>;
}

export const emptyLock = (): PinsLock => ({ version: 1, servers: {} });

export class PinsLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PinsLockError";
  }
}

/** Parses and checks a lockfile text; throws PinsLockError naming the file on anything unexpected. */
export function parseLock(text: string, file = "pins.lock.json"): PinsLock {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PinsLockError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const o = raw as Partial<PinsLock>;
  if (!o || typeof o !== "object" || o.version !== 1 || typeof o.servers !== "object" || o.servers === null || Array.isArray(o.servers)) {
    throw new PinsLockError(`${file}: not a version 1 pins lockfile ({"version": 1, "servers": {...}})`);
  }
  const servers: Record<string, ServerPins> = {};
  for (const [name, s] of Object.entries(o.servers)) {
    const sp = s as Partial<ServerPins> | null;
    if (!sp || typeof sp !== "object") throw new PinsLockError(`${file}: servers.${name} is not an object`);
    const tools = sp.tools ?? {};
    const pending = sp.pending ?? {};
    for (const [t, p] of Object.entries(tools)) {
      if (!p || typeof p.hash !== "string" || typeof p.definition !== "object") throw new PinsLockError(`${file}: servers.${name}.tools.${t} needs "hash" and "definition"`);
    }
    for (const [t, p] of Object.entries(pending)) {
      if (!p || typeof p.hash !== "string" || typeof p.definition !== "object") throw new PinsLockError(`${file}: servers.${name}.pending.${t} needs "hash" and "definition"`);
    }
    servers[name] = { tools, pending };
  }
  return { version: 1, servers };
}

/** Reads a lockfile; a missing file is an empty lock. */
export function readLock(file: string): PinsLock {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return emptyLock();
    throw e;
  }
  return parseLock(text, file);
}

/** Writes the lockfile atomically (temp file in the same directory, then rename). */
export function writeLock(file: string, lock: PinsLock): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    fs.writeFileSync(tmp, prettyCanonical(lock) + "\n", { mode: 0o644 });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * A lockfile with a read cache keyed on mtime and size, so a long-running `wrap` sees approvals
 * made by `portcullis pins approve` in another process without re-parsing on every call. The file
 * is stat'ed at most every `recheckMs` (default 100 ms): the hot path pays no syscall per call,
 * and an approval from another process is seen almost at once.
 */
export class PinsLockFile {
  private cached?: { mtimeMs: number; size: number; lock: PinsLock };
  private checkedAt = -Infinity;

  constructor(readonly file: string, private readonly recheckMs = 100) {}

  read(): PinsLock {
    const now = performance.now();
    if (this.cached && now - this.checkedAt < this.recheckMs) return this.cached.lock;
    this.checkedAt = now;
    let st: fs.Stats;
    try {
      st = fs.statSync(this.file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        // No lockfile yet is a state too: cache it, so a fresh install pays no syscall per call.
        this.cached = { mtimeMs: -1, size: -1, lock: emptyLock() };
        return this.cached.lock;
      }
      throw e;
    }
    if (this.cached && this.cached.mtimeMs === st.mtimeMs && this.cached.size === st.size) return this.cached.lock;
    const lock = readLock(this.file);
    this.cached = { mtimeMs: st.mtimeMs, size: st.size, lock };
    return lock;
  }

  /** Read, change, write atomically. `change` returns false when it changed nothing (no write). */
  update(change: (lock: PinsLock) => boolean): PinsLock {
    const lock = structuredClone(readLock(this.file));
    if (change(lock)) {
      writeLock(this.file, lock);
      this.cached = undefined;
    }
    return lock;
  }
}

export function serverPins(lock: PinsLock, server: string): ServerPins {
  return (lock.servers[server] ??= { tools: {}, pending: {} });
}
