import { describe, expect, it } from "vitest";
import { redactJson, type JsonFinding } from "../../../src/layers/redaction/redact-json.js";
import { redactMcpResult } from "../../../src/layers/redaction/redact-mcp-result.js";
import { createTextRedactor, type TextRedactor } from "../../../src/layers/redaction/redact-text.js";
import { redactValue } from "../../../src/layers/redaction/redact-value.js";
import { FAKE } from "../../fixtures/redaction/fake-secrets.js";

// Strings that exercise every branch of a top-level string: short, clean, secrets of several kinds,
// JSON documents (valid, padded, invalid), and text that only looks like JSON at one end.
const STRINGS = [
  "",
  "abc",
  "pwd=abc",
  "hello portcullis",
  "Echo: hello portcullis",
  `found ${FAKE.awsAccessKey} and ${FAKE.githubPat}`,
  `password=hunter22 token: ${FAKE.stripe}`,
  `card ${FAKE.visa}, iban ${FAKE.iban}, ssn ${FAKE.ssn}`,
  FAKE.pem,
  JSON.stringify({ user: "bob", password: "hunter2" }),
  JSON.stringify({ user: "bob", note: `key ${FAKE.awsAccessKey}` }, null, 2),
  `  ${JSON.stringify([{ api_key: "k-1" }, 12345678901234])}\n`,
  '{"not": json at all}',
  `{ password=${FAKE.npm} }`,
  "[1, 2, 3]",
  `[${FAKE.jwt}]`,
];

const REDACTORS: [string, TextRedactor][] = [
  ["default", createTextRedactor()],
  ["pii + hash key", createTextRedactor({ pii: true, hashKey: "k" })],
  ["text off", createTextRedactor({ text: false })],
];

describe("a string on its own is redacted as it would be inside a document", () => {
  for (const [name, r] of REDACTORS) {
    it(name, () => {
      for (const s of STRINGS) {
        const alone = redactJson(s, r);
        const inside = redactJson([s], r);
        expect(alone.value, s).toBe((inside.value as string[])[0]);
        expect(alone.findings, s).toEqual(inside.findings.map((f) => ({ type: f.type, path: f.path.slice("/0".length) })));
      }
    });
  }

  it("redactValue keeps each options object's own compiled redactor", () => {
    const off = { text: false };
    const tagged = { hashKey: "k" };
    const text = `token ${FAKE.githubPat}`;
    for (let i = 0; i < 3; i++) {
      expect(redactValue(text, off)).toBe(text);
      expect(redactValue(text, tagged)).toMatch(/^token \[REDACTED:github_token:[0-9a-f]{6}\]$/);
      expect(redactValue(text)).toBe("token [REDACTED:github_token]");
    }
  });
});

// The closure-based walk redactMcpResult replaced, kept as the reference for its pointers and copies.
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
function reference(method: string, result: Obj, r: TextRedactor): { result: Obj; findings: JsonFinding[] } {
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

/** Where `a` and `b` share (or do not share) objects: copy on write must copy exactly the same nodes. */
function sharing(orig: unknown, out: unknown, path = ""): string[] {
  if (typeof out !== "object" || out === null) return [];
  const mine = [`${path}:${out === orig ? "same" : "copy"}`];
  const o = orig as Obj | undefined;
  for (const k of Object.keys(out)) mine.push(...sharing(typeof o === "object" && o !== null ? o[k] : undefined, (out as Obj)[k], `${path}/${k}`));
  return mine;
}

const block = (i: number): unknown => {
  switch (i % 9) {
    case 0: return { type: "text", text: `plain text ${i}` };
    case 1: return { type: "text", text: `key ${FAKE.awsAccessKey}` };
    case 2: return { type: "text", text: JSON.stringify({ user: "u", password: `pw-${i}` }) };
    case 3: return { type: "resource", resource: { uri: "file:///x", mimeType: "text/plain", text: `token=${FAKE.githubPat}` } };
    case 4: return { type: "resource", resource: { uri: "file:///y", text: "nothing here" } };
    case 5: return { type: "image", data: "iVBORw0KGgo=", mimeType: "image/png" };
    case 6: return "not a block";
    case 7: return { type: "text", text: 42 };
    default: return null;
  }
};

describe("redactMcpResult", () => {
  const r = createTextRedactor();
  const results: [string, Obj][] = [];
  for (let n = 0; n < 40; n++) {
    const list = Array.from({ length: n % 5 }, (_, i) => block(n * 3 + i));
    results.push(["tools/call", { content: list, ...(n % 3 === 0 ? { structuredContent: { rows: [{ api_key: `k${n}`, note: `card ${FAKE.visa}` }], n } } : {}), ...(n % 4 === 0 ? { structuredContent: undefined } : {}), _meta: { progressToken: n } }]);
    results.push(["resources/read", { contents: list, nextCursor: "c" }]);
    results.push(["prompts/get", { description: "d", messages: [{ role: "user", content: list[0] }, { role: "assistant", content: list }, "odd", { role: "user" }] }]);
  }
  results.push(["tools/call", { structuredContent: { password: "x" } }]);
  results.push(["tools/call", { content: "not a list", isError: true }]);
  results.push(["prompts/get", { messages: "not a list" }]);
  results.push(["ping", { content: [{ type: "text", text: `key ${FAKE.awsAccessKey}` }] }]);

  it("finds, points and copies exactly as the closure-based walk it replaced", () => {
    let withFindings = 0;
    for (const [method, result] of results) {
      const got = redactMcpResult(method, result, r);
      const want = reference(method, result, r);
      expect(got.findings, `${method} ${JSON.stringify(result)}`).toEqual(want.findings);
      expect(got.result).toEqual(want.result);
      expect(sharing(result, got.result)).toEqual(sharing(result, want.result));
      if (want.findings.length === 0) expect(got.result).toBe(result);
      else withFindings++;
    }
    expect(withFindings).toBeGreaterThan(60);
  });

  it("names each finding by its JSON Pointer", () => {
    const { findings } = redactMcpResult("prompts/get", { messages: [{ role: "user", content: { type: "text", text: `ssn ${FAKE.ssn}` } }, { role: "user", content: [{ type: "image" }, { type: "resource", resource: { text: `k ${FAKE.npm}` } }] }] }, r);
    expect(findings).toEqual([
      { type: "ssn", path: "/messages/0/content/text" },
      { type: "npm_token", path: "/messages/1/content/1/resource/text" },
    ]);
    const call = redactMcpResult("tools/call", { content: [{ type: "text", text: JSON.stringify({ a: { password: "p" } }) }], structuredContent: { x: [{ secret: "s" }] } }, r);
    expect(call.findings).toEqual([
      { type: "password", path: "/content/0/text/a/password" },
      { type: "secret", path: "/structuredContent/x/0/secret" },
    ]);
  });
});
