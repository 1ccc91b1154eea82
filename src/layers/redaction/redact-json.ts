import { redactionMarker } from "./keyed-hash.js";
import type { RedactionOptions } from "./redaction-options.js";
import { applyFindings, createTextRedactor, type TextRedaction, type TextRedactor } from "./redact-text.js";
import type { SecretMatch } from "./secret-match.js";

/** One redaction inside a JSON value: its type and JSON Pointer. Never the value. */
export interface JsonFinding {
  type: string;
  path: string;
}

export interface JsonRedaction<T = unknown> {
  /** The redacted value; the very same object when nothing was found (copy on write). */
  value: T;
  findings: JsonFinding[];
}

// Deeper than any real payload; beyond it the subtree is replaced (fail closed, no stack overflow).
const MAX_DEPTH = 256;
// Strings this long that look like JSON are still parsed; larger ones are scanned as plain text.
const MAX_EMBEDDED_JSON = 8 * 1024 * 1024;

const pointer = (path: readonly (string | number)[]) => path.map((p) => `/${String(p).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");

/** Two-space, four-space or tab indentation as used by the embedded document, or none if compact. */
function indentOf(s: string): string | undefined {
  const m = /\n([ \t]+)\S/.exec(s);
  return m ? m[1] : undefined;
}

function looksLikeJson(s: string): boolean {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) <= 32) i++;
  let j = s.length - 1;
  while (j > i && s.charCodeAt(j) <= 32) j--;
  const a = s[i];
  const b = s[j];
  return (a === "{" && b === "}") || (a === "[" && b === "]");
}

// Joins a document's strings for one detector pass: a line break (which no detector crosses) and a
// NUL (in no detector's character classes). Per-string detector calls cost more than the scan itself.
const SEP = "\n\u0000\n";

type Slot = { kind: "text" } | { kind: "json"; parsed: unknown } | { kind: "keep" };
const TEXT_SLOT: Slot = { kind: "text" };

/**
 * Two passes with identical traversal: `collect` gathers the strings to scan (and parses embedded
 * JSON once), one detector pass runs over all of them joined, then `rebuild` swaps in the results,
 * copying only the containers on the path to a change.
 */
class Walker {
  readonly findings: JsonFinding[] = [];
  private readonly path: (string | number)[] = [];
  private readonly slots: Slot[] = [];
  private readonly texts: string[] = [];
  /** Per collected string, its redaction; undefined when no string had a finding. */
  private redacted: TextRedaction[] | undefined;
  private slot = 0;
  private text = 0;
  /** Set by `collect` when something besides text findings would change (keys, big numbers, depth). */
  private mayChange = false;

  constructor(private readonly r: TextRedactor) {}

  run(v: unknown): unknown {
    this.collect(v, undefined, 0);
    this.redacted = this.scan();
    // Nothing found and nothing redacted by key: the value comes back as it is, without a second walk.
    if (this.redacted === undefined && !this.mayChange) return v;
    return this.rebuild(v, undefined, 0);
  }

  private typeOf(k: string, x: unknown, inherited: string | undefined): string | undefined {
    if (inherited !== undefined) return inherited;
    const kind = typeof x === "string" ? "string" : typeof x === "number" ? "number" : typeof x === "object" && x !== null ? "string" : "other";
    return this.r.keyMatcher(k, kind);
  }

  private collect(v: unknown, inherited: string | undefined, depth: number): void {
    if (typeof v === "string") {
      if (inherited !== undefined) {
        if (v.length > 0) this.mayChange = true;
        return;
      }
      if (v.length < 7) return;
      if (v.length <= MAX_EMBEDDED_JSON && looksLikeJson(v)) {
        try {
          const parsed: unknown = JSON.parse(v);
          this.slots.push({ kind: "json", parsed });
          this.collect(parsed, undefined, depth + 1);
          return;
        } catch {
          // not JSON after all: scan as text
        }
      }
      this.slots.push(TEXT_SLOT);
      this.texts.push(v);
      return;
    }
    if (typeof v === "number") {
      if (inherited !== undefined || (Number.isInteger(v) && Math.abs(v) >= 1e12)) this.mayChange = true;
      return;
    }
    if (typeof v !== "object" || v === null) return;
    if (depth >= MAX_DEPTH) {
      this.mayChange = true;
      return;
    }
    if (Array.isArray(v)) for (const x of v) this.collect(x, inherited, depth + 1);
    else {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const x = o[k];
        this.collect(x, this.typeOf(k, x, inherited), depth + 1);
      }
    }
  }

  /** Runs the detectors once over all collected strings and splits the findings back per string. */
  private scan(): TextRedaction[] | undefined {
    const n = this.texts.length;
    if (n === 0) return undefined;
    if (n === 1) {
      const one = this.r.redact(this.texts[0]!);
      return one.findings.length === 0 ? undefined : [one];
    }
    const joined = this.texts.join(SEP);
    const found = this.r.find(joined);
    if (found.length === 0) return undefined;
    const per: SecretMatch[][] = this.texts.map(() => []);
    let i = 0;
    let base = 0;
    for (const f of found) {
      while (i < n && base + this.texts[i]!.length <= f.start) base += this.texts[i++]!.length + SEP.length;
      // A finding may span strings (a PEM key cut across two fields): clip it to each one.
      for (let j = i, b = base; j < n && b < f.end; b += this.texts[j++]!.length + SEP.length) {
        const s = Math.max(f.start, b) - b;
        const e = Math.min(f.end, b + this.texts[j]!.length) - b;
        if (e > s) per[j]!.push({ type: f.type, start: s, end: e });
      }
    }
    return this.texts.map((t, k) => applyFindings(t, per[k]!, this.r.options.hashKey));
  }

  private found(type: string): void {
    this.findings.push({ type, path: pointer(this.path) });
  }

  private marker(type: string, value: string): string {
    this.found(type);
    return redactionMarker(type, value, this.r.options.hashKey);
  }

  private rebuild(v: unknown, inherited: string | undefined, depth: number): unknown {
    if (typeof v === "string") return this.str(v, inherited, depth);
    if (typeof v === "number") return this.num(v, inherited);
    if (typeof v !== "object" || v === null) return v;
    if (depth >= MAX_DEPTH) return this.marker("nesting", "");
    if (Array.isArray(v)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        this.path.push(i);
        const x = this.rebuild(v[i], inherited, depth + 1);
        this.path.pop();
        if (x !== v[i]) (out ??= v.slice())[i] = x;
      }
      return out ?? v;
    }
    let out: Record<string, unknown> | undefined;
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const x0 = o[k];
      this.path.push(k);
      const x = this.rebuild(x0, this.typeOf(k, x0, inherited), depth + 1);
      this.path.pop();
      if (x !== x0) (out ??= { ...(v as Record<string, unknown>) })[k] = x;
    }
    return out ?? v;
  }

  private num(n: number, inherited: string | undefined): unknown {
    if (inherited !== undefined) return this.marker(inherited, String(n));
    // A card number stored as a JSON number (up to 2^53) still counts.
    if (Number.isInteger(n) && Math.abs(n) >= 1e12) {
      const hit = this.r.find(String(n))[0];
      if (hit) return this.marker(hit.type, String(n));
    }
    return n;
  }

  private str(s: string, inherited: string | undefined, depth: number): unknown {
    if (inherited !== undefined) return s.length === 0 ? s : this.marker(inherited, s);
    if (s.length < 7) return s;
    const slot = this.slots[this.slot++]!;
    if (slot.kind === "json") {
      const x = this.rebuild(slot.parsed, undefined, depth + 1);
      return x === slot.parsed ? s : JSON.stringify(x, null, indentOf(s));
    }
    const red = this.redacted?.[this.text];
    this.text++;
    if (red === undefined) return s;
    for (const f of red.findings) this.found(f.type);
    return red.text;
  }
}

/**
 * Redacts a JSON value by key and by value, keeping its structure and the types of everything not
 * redacted: values under secret keys become markers (objects and arrays under them keep their
 * shape, their leaves redacted); other strings go through the text detectors; strings holding a
 * JSON document are parsed, redacted and re-serialised in their original indentation.
 *
 * @example redactJson({ user: "bob", password: "hunter2" }).value // { user: "bob", password: "[REDACTED:password]" }
 */
export function redactJson<T>(value: T, options: RedactionOptions | TextRedactor = {}): JsonRedaction<T> {
  const r = "redact" in options ? options : createTextRedactor(options);
  if (typeof value === "string") {
    const one = redactTopString(value, r);
    if (one !== undefined) return one as JsonRedaction<T>;
  }
  const w = new Walker(r);
  return { value: w.run(value) as T, findings: w.findings };
}

/**
 * A value that is one plain string (a text block of a tool result, an audited argument): what the
 * Walker does for it, without the Walker: strings under 7 characters pass, others are redacted as
 * text, findings at the root (path ""). Undefined for a string that may hold embedded JSON, which
 * takes the Walker's path.
 */
function redactTopString(s: string, r: TextRedactor): JsonRedaction<string> | undefined {
  if (s.length < 7) return { value: s, findings: [] };
  if (s.length <= MAX_EMBEDDED_JSON && looksLikeJson(s)) return undefined;
  const red = r.redact(s);
  if (red.findings.length === 0) return { value: s, findings: [] };
  const findings: JsonFinding[] = [];
  for (const f of red.findings) findings.push({ type: f.type, path: "" });
  return { value: red.text, findings };
}

/** Counts findings per type, e.g. `{ aws_access_key: 1, password: 2 }`: what the audit records. */
export function countByType(findings: readonly { type: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of findings) out[f.type] = (out[f.type] ?? 0) + 1;
  return out;
}
