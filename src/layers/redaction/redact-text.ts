import { assignmentDetector } from "./assignment-detector.js";
import { createKeyMatcher, type KeyMatcher } from "./key-matcher.js";
import { redactionMarker } from "./keyed-hash.js";
import { DEFAULT_REDACTION_KEYS, type RedactionOptions } from "./redaction-options.js";
import { SECRET_DETECTORS } from "./secret-detectors.js";
import { mergedDetector, type RankedMatch, type SecretDetector, type SecretMatch } from "./secret-match.js";

/** Result of redacting one text: the new text and where secrets were (offsets into the input). */
export interface TextRedaction {
  text: string;
  findings: SecretMatch[];
}

/** A text redactor compiled once from options (key matcher, assignment regex, detector list). */
export interface TextRedactor {
  readonly keyMatcher: KeyMatcher;
  readonly options: Readonly<RedactionOptions>;
  find(text: string): SecretMatch[];
  redact(text: string): TextRedaction;
}

// Shorter than any detector's smallest match (`pwd=abc` is 7): skip without scanning.
const MIN_LENGTH = 7;

/** Sorts by start, then longest, then detector priority, and drops matches overlapping a kept one. */
function resolveOverlaps(found: RankedMatch[]): SecretMatch[] {
  found.sort((a, b) => a.start - b.start || b.end - a.end || a.rank - b.rank);
  const kept: SecretMatch[] = [];
  let lastEnd = -1;
  for (const f of found) {
    if (f.start < lastEnd || f.end <= f.start) continue;
    kept.push({ type: f.type, start: f.start, end: f.end });
    lastEnd = f.end;
  }
  return kept;
}

/**
 * Compiles a text redactor. Detectors run one after another over the whole text (each a linear
 * regex scan with a literal or boundary anchor), then overlaps are resolved and markers spliced in.
 * With `text: false` nothing is detected in text; key-based redaction still applies to JSON.
 */
export function createTextRedactor(options: RedactionOptions = {}): TextRedactor {
  const keys = options.keys ?? DEFAULT_REDACTION_KEYS;
  const keyMatcher = createKeyMatcher(keys, options.keep);
  const detectors: SecretDetector[] = [];
  if (options.text !== false) {
    detectors.push(...SECRET_DETECTORS.filter((d) => options.pii === true || !d.pii));
    const assign = assignmentDetector(keys, keyMatcher);
    if (assign) detectors.push(assign);
  }
  // The prefix-token detectors run as one alternation scan; the rest one by one. Every finding keeps
  // its detector's rank (priority), so overlaps resolve exactly as with one scan per detector.
  const merged = detectors.map((detector, rank) => ({ detector, rank })).filter((d) => d.detector.mergeable !== undefined);
  const passes: { find(text: string, out: RankedMatch[]): void }[] = [];
  if (merged.length > 0) passes.push(mergedDetector(merged));
  detectors.forEach((d, rank) => {
    if (d.mergeable !== undefined) return;
    passes.push({
      find(text, out) {
        const from = out.length;
        d.find(text, out);
        for (let k = from; k < out.length; k++) out[k] = { type: out[k]!.type, start: out[k]!.start, end: out[k]!.end, rank };
      },
    });
  });
  const find = (text: string): SecretMatch[] => {
    if (text.length < MIN_LENGTH || passes.length === 0) return [];
    const found: RankedMatch[] = [];
    for (const p of passes) p.find(text, found);
    return found.length === 0 ? [] : resolveOverlaps(found);
  };
  return {
    keyMatcher,
    options,
    find,
    redact: (text) => applyFindings(text, find(text), options.hashKey),
  };
}

/** Splices markers into `text` for non-overlapping findings sorted by start. */
export function applyFindings(text: string, findings: SecretMatch[], hashKey?: string): TextRedaction {
  if (findings.length === 0) return { text, findings };
  let out = "";
  let pos = 0;
  for (const f of findings) {
    out += text.slice(pos, f.start) + redactionMarker(f.type, text.slice(f.start, f.end), hashKey);
    pos = f.end;
  }
  return { text: out + text.slice(pos), findings };
}

let defaultRedactor: TextRedactor | undefined;

/**
 * Replaces each secret in `text` with `[REDACTED:<type>]`. Findings carry type and offsets, never
 * the value. Without options a shared default redactor is used (compiled once).
 *
 * @example redactText("key=AKIAIOSFODNN7EXAMPLE").text // "key=[REDACTED:aws_access_key]"
 */
export function redactText(text: string, options?: RedactionOptions): TextRedaction {
  const r = options ? createTextRedactor(options) : (defaultRedactor ??= createTextRedactor());
  return r.redact(text);
}
