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
  const sub = (value: unknown, at: string): unknown => {
    const red = redactJson(value, r);
    for (const f of red.findings) findings.push({ type: f.type, path: at + f.path });
    return red.value;
  };
  const contentBlock = (block: unknown, at: string): unknown => {
    if (!isObj(block)) return block;
    if (typeof block.text === "string") {
      const text = sub(block.text, `${at}/text`);
      return text === block.text ? block : { ...block, text };
    }
    if (isObj(block.resource) && typeof block.resource.text === "string") {
      const text = sub(block.resource.text, `${at}/resource/text`);
      return text === block.resource.text ? block : { ...block, resource: { ...block.resource, text } };
    }
    return block;
  };
  const blocks = (list: unknown, at: string, each: (b: unknown, at: string) => unknown): unknown => {
    if (!Array.isArray(list)) return list;
    let out: unknown[] | undefined;
    list.forEach((b, i) => {
      const x = each(b, `${at}/${i}`);
      if (x !== b) (out ??= list.slice())[i] = x;
    });
    return out ?? list;
  };

  const patch: Obj = {};
  if (method === "tools/call") {
    patch.content = blocks(result.content, "/content", contentBlock);
    if ("structuredContent" in result) patch.structuredContent = sub(result.structuredContent, "/structuredContent");
  } else if (method === "resources/read") {
    patch.contents = blocks(result.contents, "/contents", contentBlock);
  } else if (method === "prompts/get") {
    patch.messages = blocks(result.messages, "/messages", (m, at) => {
      if (!isObj(m)) return m;
      const c = Array.isArray(m.content) ? blocks(m.content, `${at}/content`, contentBlock) : contentBlock(m.content, `${at}/content`);
      return c === m.content ? m : { ...m, content: c };
    });
  }
  if (findings.length === 0) return { result, findings };
  const out: Obj = { ...result };
  for (const [k, v] of Object.entries(patch)) if (v !== result[k]) out[k] = v;
  return { result: out, findings };
}
