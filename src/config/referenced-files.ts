import fs from "node:fs";
import path from "node:path";
import type { RawConfig } from "./schema.js";

/** A problem with a file the config names, at the key that names it. */
export interface FileIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Files a config names that must exist when it is loaded: the model and tokenizer of every
 * `injection.classifier`. Relative paths resolve against `baseDir` (the config file's directory),
 * as at run time, so the message shows the path that was actually looked for.
 */
export function referencedFileIssues(raw: RawConfig, baseDir: string): FileIssue[] {
  const issues: FileIssue[] = [];
  const check = (at: (string | number)[], classifier: unknown) => {
    if (!classifier || typeof classifier !== "object") return;
    for (const k of ["model", "tokenizer"] as const) {
      const p = (classifier as Record<string, unknown>)[k];
      if (typeof p !== "string") continue;
      const problem = fileProblem(path.resolve(baseDir, p));
      if (problem) issues.push({ path: [...at, k], message: `${[...at, k].join(".")}: ${problem}` });
    }
  };
  check(["defaults", "injection", "classifier"], raw.defaults?.injection?.classifier);
  for (const [name, s] of Object.entries(raw.servers ?? {})) check(["servers", name, "injection", "classifier"], s.injection?.classifier);
  return issues;
}

function fileProblem(abs: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `file not found: ${abs} (relative paths resolve against the config file's directory)` : `cannot read ${abs} (${code ?? (e as Error).message})`;
  }
  return st.isFile() ? undefined : `${abs} is not a file`;
}
