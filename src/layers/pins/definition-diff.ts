/** One line of a definition diff: " " unchanged, "-" only in the old definition, "+" only in the new. */
export interface DiffLine {
  op: " " | "-" | "+";
  text: string;
}

// Invisible, bidi and control characters are shown as escapes so a reviewer sees them.
// eslint-disable-next-line no-control-regex, no-misleading-character-class -- these characters are the point
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]|\udb40[\udc00-\udc7f]/g;

export function showInvisible(s: string): string {
  return s.replace(INVISIBLE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/**
 * A definition as lines a person can review: one `path: value` per leaf, keys sorted, strings
 * split on line breaks and wrapped at sentence ends, invisible characters escaped.
 */
export function definitionLines(def: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, p: string) => {
    if (v !== null && typeof v === "object") {
      const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]] as const);
      if (entries.length === 0) out.push(`${p}: ${Array.isArray(v) ? "[]" : "{}"}`);
      for (const [k, x] of entries) walk(x, p ? `${p}.${k}` : k);
      return;
    }
    if (typeof v === "string") {
      const parts = v.split(/\r?\n/).flatMap((l) => l.split(/(?<=[.!?])\s+(?=\S)/));
      // Descriptions are always blocks, so adding a sentence shows as one added line.
      if (parts.length === 1 && v.length <= 100 && !/(^|\.)description$/.test(p)) out.push(`${p}: ${JSON.stringify(showInvisible(v)).slice(1, -1)}`);
      else {
        out.push(`${p}: |`);
        for (const l of parts) out.push(`    ${showInvisible(l)}`);
      }
      return;
    }
    out.push(`${p}: ${JSON.stringify(v)}`);
  };
  walk(def, "");
  return out;
}

/** Line diff (longest common subsequence) of two definitions; undefined stands for "absent". */
export function diffDefinitions(before: unknown, after: unknown): DiffLine[] {
  const a = before === undefined ? [] : definitionLines(before);
  const b = after === undefined ? [] : definitionLines(after);
  if (a.length * b.length > 4_000_000) return [...a.map((text) => ({ op: "-" as const, text })), ...b.map((text) => ({ op: "+" as const, text }))];
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: " ", text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ op: "-", text: a[i++]! });
    else out.push({ op: "+", text: b[j++]! });
  }
  while (i < n) out.push({ op: "-", text: a[i++]! });
  while (j < m) out.push({ op: "+", text: b[j++]! });
  return out;
}
