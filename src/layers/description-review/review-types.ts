import type { Severity } from "../../pipeline/decision.js";

export type { Severity };

/** What a server lists that a model reads: tools, prompts and resource templates. */
export type ReviewedKind = "tool" | "prompt" | "resource_template";

/** One text the model reads, and where it sits in the definition. */
export interface ReviewedField {
  /** "name", "description", "inputSchema.properties.path.description", "annotations.title", ... */
  path: string;
  text: string;
}

/** One problem found in a definition. */
export interface Finding {
  severity: Exclude<Severity, "info">;
  /** Stable rule id, e.g. "hidden-instructions", "tool-shadowing", "invisible-characters". */
  rule: string;
  kind: ReviewedKind;
  /** The tool, prompt or template name. */
  name: string;
  /** Which field the finding is in. */
  field: string;
  /** UTF-16 offsets into that field's text (end exclusive). */
  span: { start: number; end: number };
  /** The offending text, shortened, with invisible characters escaped. */
  excerpt: string;
  /** One sentence a person can act on. */
  message: string;
}

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export function maxSeverity(findings: readonly Finding[]): Finding["severity"] | undefined {
  let best: Finding["severity"] | undefined;
  for (const f of findings) if (!best || SEVERITY_RANK[f.severity] > SEVERITY_RANK[best]) best = f.severity;
  return best;
}
