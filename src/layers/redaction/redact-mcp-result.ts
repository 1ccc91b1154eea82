import { redactJson, type JsonFinding } from "./redact-json.js";
import type { TextRedactor } from "./redact-text.js";

export interface McpResultRedaction {
  /** The redacted result; the same object when nothing was found. */
  result: Record<string, unknown>;
  findings: JsonFinding[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Redacts the parts of an MCP result the model reads, and nothing else: protocol fields such as
 * `_meta` (whose `progressToken` is not a secret), `nextCursor`, `mimeType`, `uri` and base64
 * `data`/`blob` of images, audio and binary resources pass untouched.
 *
 * - tools/call: `content[]` text and embedded `resource.text`, `structuredContent` (by key and value)
 * - resources/read: `contents[].text`
 * - prompts/get: `messages[].content` (a content block or, leniently, an array of them)
 */
export function redactMcpResult(method: string, result: Obj, r: TextRedactor): McpResultRedaction {
  const findings: JsonFinding[] = [];
  if (method === "tools/call") {
    const content = blocks(result.content, "/content", r, findings);
    if (!("structuredContent" in result)) return patched(result, findings, "content", content);
    const structured = redactAt(result.structuredContent, "/structuredContent", undefined, "", r, findings);
    return patched(result, findings, "content", content, "structuredContent", structured);
  }
  if (method === "resources/read") return patched(result, findings, "contents", blocks(result.contents, "/contents", r, findings));
  if (method === "prompts/get") return patched(result, findings, "messages", promptMessages(result.messages, r, findings));
  return { result, findings };
}

/** The result itself when nothing was found, else a copy with the fields that changed. */
function patched(result: Obj, findings: JsonFinding[], key: string, value: unknown, key2?: string, value2?: unknown): McpResultRedaction {
  if (findings.length === 0) return { result, findings };
  const out: Obj = { ...result };
  if (value !== result[key]) out[key] = value;
  if (key2 !== undefined && value2 !== result[key2]) out[key2] = value2;
  return { result: out, findings };
}

/*
 * Module-level helpers rather than closures (this runs on every result), and JSON Pointers built
 * only for findings: `at` is the pointer of the enclosing list or field, `index` the block's
 * position in the list (undefined for a single block), `field` the path inside the block.
 */

/** `value` redacted by key and value; its findings recorded under the pointer `at[/index]field`. */
function redactAt(value: unknown, at: string, index: number | undefined, field: string, r: TextRedactor, findings: JsonFinding[]): unknown {
  const red = redactJson(value, r);
  if (red.findings.length > 0) {
    const p = (index === undefined ? at : `${at}/${index}`) + field;
    for (const f of red.findings) findings.push({ type: f.type, path: p + f.path });
  }
  return red.value;
}

/** A content block's `text`, or its embedded `resource.text`; the same block when nothing changed. */
function contentBlock(block: unknown, at: string, index: number | undefined, r: TextRedactor, findings: JsonFinding[]): unknown {
  if (!isObj(block)) return block;
  if (typeof block.text === "string") {
    const text = redactAt(block.text, at, index, "/text", r, findings);
    return text === block.text ? block : { ...block, text };
  }
  if (isObj(block.resource) && typeof block.resource.text === "string") {
    const text = redactAt(block.resource.text, at, index, "/resource/text", r, findings);
    return text === block.resource.text ? block : { ...block, resource: { ...block.resource, text } };
  }
  return block;
}

/** Each block of a list through `contentBlock`; the same list when no block changed (copy on write). */
function blocks(list: unknown, at: string, r: TextRedactor, findings: JsonFinding[]): unknown {
  if (!Array.isArray(list)) return list;
  let out: unknown[] | undefined;
  for (let i = 0; i < list.length; i++) {
    if (!(i in list)) continue; // a hole, as forEach skips it
    const b: unknown = list[i];
    const x = contentBlock(b, at, i, r, findings);
    if (x !== b) (out ??= list.slice())[i] = x;
  }
  return out ?? list;
}

/** prompts/get `messages[]`: each message's `content`, one block or (leniently) a list of them. */
function promptMessages(list: unknown, r: TextRedactor, findings: JsonFinding[]): unknown {
  if (!Array.isArray(list)) return list;
  let out: unknown[] | undefined;
  for (let i = 0; i < list.length; i++) {
    if (!(i in list)) continue;
    const m: unknown = list[i];
    if (!isObj(m)) continue;
    const at = `/messages/${i}/content`;
    const c = Array.isArray(m.content) ? blocks(m.content, at, r, findings) : contentBlock(m.content, at, undefined, r, findings);
    if (c !== m.content) (out ??= list.slice())[i] = { ...m, content: c };
  }
  return out ?? list;
}
