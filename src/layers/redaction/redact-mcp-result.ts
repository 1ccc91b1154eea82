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
    const hasStructured = "structuredContent" in result;
    const structured = hasStructured ? sub(result.structuredContent, "/structuredContent", r, findings) : undefined;
    if (findings.length === 0) return { result, findings };
    const out: Obj = { ...result };
    if (content !== result.content) out.content = content;
    if (hasStructured && structured !== result.structuredContent) out.structuredContent = structured;
    return { result: out, findings };
  }
  if (method === "resources/read") {
    const contents = blocks(result.contents, "/contents", r, findings);
    if (findings.length === 0) return { result, findings };
    const out: Obj = { ...result };
    if (contents !== result.contents) out.contents = contents;
    return { result: out, findings };
  }
  if (method === "prompts/get") {
    const messages = promptMessages(result.messages, r, findings);
    if (findings.length === 0) return { result, findings };
    const out: Obj = { ...result };
    if (messages !== result.messages) out.messages = messages;
    return { result: out, findings };
  }
  return { result, findings };
}

/*
 * Module-level helpers rather than closures (this runs on every result), and JSON Pointers built
 * only for findings: `at` is the pointer of the enclosing list or field, `index` the block's
 * position in the list (undefined for a single block), so a block's pointer is `${at}/${index}`.
 */

/** `value` redacted by key and value; its findings recorded under the pointer `at`. */
function sub(value: unknown, at: string, r: TextRedactor, findings: JsonFinding[]): unknown {
  const red = redactJson(value, r);
  for (const f of red.findings) findings.push({ type: f.type, path: at + f.path });
  return red.value;
}

const blockPath = (at: string, index: number | undefined) => (index === undefined ? at : `${at}/${index}`);

/** A content block's `text`, or its embedded `resource.text`; the same block when nothing changed. */
function contentBlock(block: unknown, at: string, index: number | undefined, r: TextRedactor, findings: JsonFinding[]): unknown {
  if (!isObj(block)) return block;
  if (typeof block.text === "string") {
    const red = redactJson(block.text, r);
    if (red.findings.length > 0) {
      const p = `${blockPath(at, index)}/text`;
      for (const f of red.findings) findings.push({ type: f.type, path: p + f.path });
    }
    return red.value === block.text ? block : { ...block, text: red.value };
  }
  if (isObj(block.resource) && typeof block.resource.text === "string") {
    const red = redactJson(block.resource.text, r);
    if (red.findings.length > 0) {
      const p = `${blockPath(at, index)}/resource/text`;
      for (const f of red.findings) findings.push({ type: f.type, path: p + f.path });
    }
    return red.value === block.resource.text ? block : { ...block, resource: { ...block.resource, text: red.value } };
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
