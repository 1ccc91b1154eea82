import fs from "node:fs";
import path from "node:path";
import { isScalar, LineCounter, parseDocument, visit, type Document } from "yaml";
import type { z } from "zod";
import { ConfigError } from "../errors/portcullis-error.js";
import { configSchema, type RawConfig } from "./schema.js";
import { describeIssue, unwrapUnionIssue } from "./describe-issue.js";
import { referencedFileIssues } from "./referenced-files.js";

export interface LoadedConfig {
  /** Absolute path of the file, or undefined for the embedded defaults. */
  file?: string;
  /** Directory relative paths in the config resolve against. */
  baseDir: string;
  raw: RawConfig;
}

/**
 * Reads and validates a portcullis.yaml. Every error names the file, line, column and key, and
 * for enums the allowed values, so a broken config is fixed on the first try.
 */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, "utf8");
  } catch (e) {
    throw new ConfigError(`${abs}: cannot read config file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Create one with \`portcullis config init\`.`);
  }
  const baseDir = path.dirname(abs);
  const { raw, locate } = parseConfigDocument(text, abs, env);
  // Named files (classifier models) must exist; the error points at the key that names them.
  const missing = referencedFileIssues(raw, baseDir);
  if (missing.length > 0) throw new ConfigError(missing.slice(0, 5).map((m) => `${locate(m.path)}: ${m.message}`).join("\n"));
  return { file: abs, baseDir, raw };
}

/** Parses and validates config text; `file` only labels messages (no file is read, none is checked). */
export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): RawConfig {
  return parseConfigDocument(text, file, env).raw;
}

function parseConfigDocument(text: string, file: string, env: NodeJS.ProcessEnv): { raw: RawConfig; locate: (p: (string | number)[]) => string } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const where = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ConfigError(`${where(e.pos[0])}: YAML syntax error: ${e.message.split("\n")[0]}`);
  }
  interpolateEnv(doc, env, where);
  const value = doc.toJS() ?? {};
  const parsed = configSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    const messages = parsed.error.issues.slice(0, 5).map(unwrapUnionIssue).map((issue) => `${where(offsetOf(doc, issue))}: ${describeIssue(issue)}`);
    const more = parsed.error.issues.length > 5 ? `\n(and ${parsed.error.issues.length - 5} more)` : "";
    throw new ConfigError(messages.join("\n") + more);
  }
  return { raw: parsed.data, locate: (p) => where(offsetAt(doc, p)) };
}

/** `${VAR}` and `${VAR:-fallback}` in string values; a missing variable without fallback is an error. */
function interpolateEnv(doc: Document, env: NodeJS.ProcessEnv, where: (o: number | undefined) => string): void {
  visit(doc, {
    Scalar(key, node) {
      if (key === "key" || typeof node.value !== "string" || !node.value.includes("${")) return;
      node.value = node.value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
        const v = env[name];
        if (v !== undefined && v !== "") return v;
        if (fallback !== undefined) return fallback;
        throw new ConfigError(`${where(node.range?.[0])}: environment variable ${name} is not set (use \${${name}:-default} for a fallback)`);
      });
    },
  });
}

/** Source offset of the node an issue is about, falling back to its nearest existing parent. */
function offsetOf(doc: Document, issue: z.core.$ZodIssue): number | undefined {
  const p = [...issue.path] as (string | number)[];
  if (issue.code === "unrecognized_keys" && issue.keys.length > 0) p.push(issue.keys[0]!);
  return offsetAt(doc, p, issue.code === "unrecognized_keys");
}

/** Source offset of the value at `p` (of its key when `atKey`), or of its nearest existing parent. */
function offsetAt(doc: Document, p: (string | number)[], atKey = false): number | undefined {
  for (let n = p.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(p.slice(0, n), true);
    if (node && typeof node === "object" && "range" in node && Array.isArray((node as { range?: unknown }).range)) {
      // For a missing or unknown key, point at the key itself when we can.
      if (atKey && n === p.length) {
        const parent = n > 1 ? doc.getIn(p.slice(0, n - 1), true) : doc.contents;
        const pair = (parent as { items?: { key: unknown }[] })?.items?.find((it) => isScalar(it.key) && it.key.value === p[n - 1]);
        if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
      }
      return (node as { range: [number, number, number] }).range[0];
    }
  }
  return undefined;
}
