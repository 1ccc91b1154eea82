/** One piece of text from an MCP message, with where it came from (for audit, never the text itself). */
export interface TextPart {
  path: string;
  text: string;
}

const MAX_PARTS = 256;
const MAX_DEPTH = 8;

/**
 * Every string an agent would read from a result: content[].text, embedded resource text,
 * structuredContent (all string leaves), resources/read contents[].text, prompts/get messages,
 * sampling messages and system prompt. Keys of structured data are scanned too (they are text the
 * model reads). Bounded in depth and count.
 */
export function collectTexts(value: unknown, path = "", out: TextPart[] = [], depth = 0): TextPart[] {
  if (out.length >= MAX_PARTS || depth > MAX_DEPTH) return out;
  if (typeof value === "string") {
    if (value.length > 0) out.push({ path, text: value });
  } else if (Array.isArray(value)) {
    // Plain loops (no entries arrays or callbacks): this runs on every scanned result.
    for (let i = 0; i < value.length; i++) collectTexts(value[i], `${path}[${i}]`, out, depth + 1);
  } else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      // Binary payloads and URIs are not prose; mimeType/type are enums.
      if (k === "blob" || k === "data" || k === "uri" || k === "mimeType" || k === "type" || k === "_meta") continue;
      collectTexts(o[k], path ? `${path}.${k}` : k, out, depth + 1);
    }
  }
  return out;
}
