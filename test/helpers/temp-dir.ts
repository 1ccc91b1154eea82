import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A fresh state directory per call, so pins and other state never leak between tests or runs. */
export function tmpStateDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-state-"));
}
