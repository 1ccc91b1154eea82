import fs from "node:fs";
import path from "node:path";

/**
 * Names of the files one audit path expands to. A chain is written by one process at a time (see
 * file-lock.ts); a second process writing to the same configured path gets its own chain in a
 * sibling file, and a chain rotated by size or day continues in a new file:
 *
 *   audit.jsonl                     the active file of the primary chain
 *   audit.000000000001.jsonl        a rotated segment of it (name = seq of its first line)
 *   audit.w1.jsonl                  the active file of a second concurrent writer's chain
 *   audit.w1.000000000001.jsonl     a rotated segment of that chain
 *
 * Zero-padded seqs make name order equal chain order.
 */
export interface ChainFiles {
  /** "" for the primary chain, "w1", "w2", ... for the others. */
  writer: string;
  /** Oldest first; the active file (if present) last. */
  files: string[];
}

const SEQ_DIGITS = 12;

function split(file: string): { dir: string; stem: string; ext: string } {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const ext = path.extname(base);
  return ext === "" ? { dir, stem: base, ext: "" } : { dir, stem: base.slice(0, -ext.length), ext };
}

/** The active file of writer `n` (0 = primary) for a configured audit path. */
export function writerFile(configured: string, n: number): string {
  if (n === 0) return configured;
  const { dir, stem, ext } = split(configured);
  return path.join(dir, `${stem}.w${n}${ext}`);
}

/** Where an active file goes when it is rotated. */
export function segmentFile(active: string, firstSeq: number): string {
  const { dir, stem, ext } = split(active);
  return path.join(dir, `${stem}.${String(firstSeq).padStart(SEQ_DIGITS, "0")}${ext}`);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Every chain stored under a configured audit path, each with its files in chain order. A path
 * that is itself a rotated segment or a writer file is accepted too (its base is recovered), so
 * `audit verify .portcullis/audit.w1.jsonl` works.
 */
export function discoverChains(configured: string): ChainFiles[] {
  const { dir, stem, ext } = split(configured);
  const base = stem.replace(/(?:\.w\d+)?(?:\.\d{12})?$/, "");
  const re = new RegExp(`^${escape(base)}(?:\\.(w\\d+))?(?:\\.(\\d{${SEQ_DIGITS}}))?${escape(ext)}$`);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const chains = new Map<string, { segments: [string, string][]; active?: string }>();
  for (const name of names) {
    const m = re.exec(name);
    if (!m) continue;
    const writer = m[1] ?? "";
    const c = chains.get(writer) ?? { segments: [] };
    chains.set(writer, c);
    if (m[2] !== undefined) c.segments.push([m[2], path.join(dir, name)]);
    else c.active = path.join(dir, name);
  }
  return [...chains.entries()]
    .sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : Number(a.slice(1)) - Number(b.slice(1))))
    .map(([writer, c]) => ({ writer, files: [...c.segments.sort(([a], [b]) => a.localeCompare(b)).map(([, f]) => f), ...(c.active ? [c.active] : [])] }));
}

/** The one chain a given file belongs to (for `verify FILE`), or undefined if the file is not found. */
export function chainOf(file: string): ChainFiles | undefined {
  const abs = path.resolve(file);
  return discoverChains(abs).find((c) => c.files.includes(abs));
}

/** Rotated segments of one active file, oldest first (the writer continues its chain from the newest). */
export function segmentsOf(active: string): string[] {
  const { dir, stem, ext } = split(active);
  const re = new RegExp(`^${escape(stem)}\\.\\d{${SEQ_DIGITS}}${escape(ext)}$`);
  try {
    return fs.readdirSync(dir).filter((n) => re.test(n)).sort().map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}
