import { auditArguments, type PayloadAuditOptions } from "./sensitivity.js";

/**
 * What the audit line says about a tool result: its shape, never its content (unless the operator
 * asked for full results, and then only as the tool's sensitivity allows).
 */
export interface ResultSummary {
  /** "tool_result" for an MCP CallToolResult, else the JSON type ("object", "array", "string", ...). */
  type: string;
  bytes: number;
  /** Content blocks of a tool result, elements of an array, keys of an object. */
  items?: number;
  /** Content blocks by type: { text: 2, image: 1 }. */
  content?: Record<string, number>;
  is_error?: boolean;
  structured?: boolean;
  /** The result itself, treated like arguments at the tool's sensitivity; only with `store: "full"`. */
  body?: unknown;
}

export interface ResultAuditOptions extends PayloadAuditOptions {
  /** "summary" (default): shape only. "full": also the body, at the tool's sensitivity. Ignored in ZDR. */
  store?: "summary" | "full";
}

/** Pure; `bytes` is the size of the reply as relayed (the relay already knows it). */
export function summariseResult(result: unknown, bytes: number, o: ResultAuditOptions = {}): ResultSummary {
  const s: ResultSummary = { type: jsonType(result), bytes };
  if (isToolResult(result)) {
    s.type = "tool_result";
    s.items = result.content.length;
    const content: Record<string, number> = {};
    for (const c of result.content) {
      const t = typeof c === "object" && c !== null && typeof (c as { type?: unknown }).type === "string" ? String((c as { type: string }).type).slice(0, 32) : "unknown";
      content[t] = (content[t] ?? 0) + 1;
    }
    s.content = content;
    if (result.isError === true) s.is_error = true;
    if (result.structuredContent !== undefined) s.structured = true;
  } else if (Array.isArray(result)) s.items = result.length;
  else if (typeof result === "object" && result !== null) s.items = Object.keys(result).length;
  if (o.store === "full" && !o.zdr) s.body = auditArguments(result, o);
  return s;
}

function isToolResult(v: unknown): v is { content: unknown[]; isError?: unknown; structuredContent?: unknown } {
  return typeof v === "object" && v !== null && Array.isArray((v as { content?: unknown }).content);
}

const jsonType = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
