import fs from "node:fs";
import os from "node:os";

/**
 * One writer per chain file. Two processes appending to one chain would both link their lines to
 * the same previous hash and fork it, so each writer takes `<file>.lock` (created exclusively,
 * holding its pid and host). A lock whose pid no longer runs on this host is stale (a crash) and is
 * taken over; after writing our lock we read it back, so two processes taking over the same stale
 * lock cannot both believe they hold it.
 */
export class FileLock {
  private constructor(readonly path: string, private readonly token: string) {}

  /** The lock, or undefined when a live process holds it. Throws only for unexpected I/O errors. */
  static tryAcquire(file: string): FileLock | undefined {
    const lockPath = `${file}.lock`;
    const token = `${process.pid}@${os.hostname()}@${Math.random().toString(36).slice(2)}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(lockPath, token, { flag: "wx", mode: 0o600 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        if (!isStale(lockPath)) return undefined;
        try {
          fs.unlinkSync(lockPath);
        } catch {
          // Someone else removed it first; try again.
        }
        continue;
      }
      if (readLock(lockPath) === token) return new FileLock(lockPath, token);
      return undefined;
    }
    return undefined;
  }

  /** Removes the lock if it is still ours. */
  release(): void {
    try {
      if (readLock(this.path) === this.token) fs.unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function readLock(lockPath: string): string | undefined {
  try {
    return fs.readFileSync(lockPath, "utf8");
  } catch {
    return undefined;
  }
}

function isStale(lockPath: string): boolean {
  const content = readLock(lockPath);
  if (content === undefined) return true;
  const [pidText, host] = content.split("@");
  const pid = Number(pidText);
  // A lock from another host (shared volume) cannot be checked: assume it is live.
  if (host !== os.hostname()) return false;
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}
