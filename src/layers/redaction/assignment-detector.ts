import { normaliseKey } from "../../audit/mask-arguments.js";
import type { KeyMatcher } from "./key-matcher.js";
import { isPlaceholder } from "./placeholder.js";
import type { SecretDetector } from "./secret-match.js";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const KEY_CHAR = /[A-Za-z0-9_.-]/;
const AUTH_SCHEME = /^(?:bearer|basic|token|digest)[ \t]+/i;
// Code, not a secret: `x = new Foo(`, `t = await get()`, `c = cookiecutter.parse(`, `token: IToken<T>`.
const CODE_WORDS = new Set(["new", "await", "function", "require", "import", "this", "self", "lambda", "null", "nil"]);

/** An unquoted value that is an expression: a keyword, or followed by a call or a type argument. */
function looksLikeCode(value: string, next: string): boolean {
  return CODE_WORDS.has(value) || next === "(" || next === "<";
}

/** `api_key` -> `api[-_. ]?key`, so `apiKey`, `API-KEY` and `api_key` all match (with the `i` flag). */
function keywordPattern(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return words.map(escape).join("[-_. ]?");
}

/**
 * `password=hunter2`, `"api_key": "…"`, `Authorization: Bearer …`, `DB_PASSWORD='…'` in free text:
 * a key the key matcher accepts, an assignment operator, then a value. The regex finds a keyword
 * before an operator and the whole key is then recovered by walking back, so
 * `max_tokens: 4096` is judged as `max_tokens`, not `token`. Operators and the quoted/unquoted
 * value follow gitleaks' generic-api-key rule (MIT), without its entropy gate: here the key has
 * already said the value is secret.
 */
export function assignmentDetector(keys: readonly string[], match: KeyMatcher): SecretDetector | undefined {
  const kws = [...new Set(keys.map(keywordPattern).filter(Boolean))].sort((a, b) => b.length - a.length);
  if (kws.length === 0) return undefined;
  // Operator first, keyword in a lookbehind: the scan then stops only at `:` and `=` (about 1% of
  // text) instead of trying a case-insensitive keyword alternation at every position (2x faster).
  const re = new RegExp(
    `[:=](?<=(?:${kws.join("|")})[A-Za-z0-9_.-]{0,30}(?:\\\\?["'])?[ \\t]{0,3}[:=])[=>]?[ \\t]{0,3}` +
      `(?:(\\\\?["'\`])([^"'\`\\r\\n]{1,300}?)\\1|((?:(?:bearer|basic|token|digest)[ \\t]+)?[^\\s"'\`,;&<>(){}\\[\\]\\\\]{1,300}))`,
    "gi",
  );
  return {
    type: "assignment",
    find(text, out) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        // Walk back from the operator over blanks and a closing quote to the key itself.
        let keyEnd = m.index;
        while (keyEnd > 0 && " \t\"'\\".includes(text[keyEnd - 1] ?? "x") && m.index - keyEnd < 6) keyEnd--;
        let keyStart = keyEnd;
        while (keyStart > 0 && keyEnd - keyStart < 60 && KEY_CHAR.test(text[keyStart - 1] ?? "")) keyStart--;
        const keyText = text.slice(keyStart, keyEnd);
        let value = m[2] ?? m[3] ?? "";
        let end = m.index + m[0].length - (m[2] !== undefined ? (m[1] ?? "").length : 0);
        let start = end - value.length;
        const scheme = AUTH_SCHEME.exec(value);
        if (scheme) {
          value = value.slice(scheme[0].length);
          start += scheme[0].length;
        }
        const trimmed = value.trimEnd();
        end -= value.length - trimmed.length;
        const kind = /^-?\d+(?:\.\d+)?$/.test(trimmed) ? "number" : "string";
        const type = match(keyText, kind);
        if (type === undefined || trimmed.length === 0 || isPlaceholder(trimmed)) continue;
        if (m[3] !== undefined && looksLikeCode(trimmed, text[end] ?? "")) continue;
        // `cookies=cookies`, `- token: Bearer token for …`: the value just repeats the key.
        if (normaliseKey(trimmed) === normaliseKey(keyText) || normaliseKey(trimmed) === normaliseKey(type)) continue;
        // A URL is not a password; credentials inside one are the URL detector's job.
        if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) continue;
        out.push({ type, start, end });
      }
    },
  };
}
