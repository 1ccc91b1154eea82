import { describe, expect, it } from "vitest";
import { countByType, redactJson } from "../../../src/layers/redaction/redact-json.js";
import { redactValue } from "../../../src/layers/redaction/redact-value.js";
import { FAKE } from "../../fixtures/redaction/fake-secrets.js";

describe("redactJson", () => {
  it("redacts by key at any depth and keeps structure and the types of everything else", () => {
    const doc = {
      user: { name: "Ada", age: 36, admin: true, nickname: null, password: "hunter2", apiKey: "k-123456" },
      items: [{ id: 1, price: 9.5, tags: ["a", "b"], credentials: { secret: "s3", SSN: 123456789 } }],
      max_tokens: 4096,
      password_required: true,
    };
    const { value, findings } = redactJson(doc);
    expect(value).toEqual({
      user: { name: "Ada", age: 36, admin: true, nickname: null, password: "[REDACTED:password]", apiKey: "[REDACTED:api_key]" },
      items: [{ id: 1, price: 9.5, tags: ["a", "b"], credentials: { secret: "[REDACTED:secret]", SSN: "[REDACTED:ssn]" } }],
      max_tokens: 4096,
      password_required: true,
    });
    expect(findings.map((f) => f.path)).toEqual(["/user/password", "/user/apiKey", "/items/0/credentials/secret", "/items/0/credentials/SSN"]);
    expect(doc.user.password).toBe("hunter2"); // input untouched
  });

  it("redacts every leaf under a secret key but keeps its shape", () => {
    const { value } = redactJson({ secrets: { db: "x1", list: ["y2", 3], on: false } });
    expect(value).toEqual({ secrets: { db: "[REDACTED:secret]", list: ["[REDACTED:secret]", "[REDACTED:secret]"], on: false } });
  });

  it("redacts by value in strings that are not under a secret key", () => {
    const { value, findings } = redactJson({ log: `used ${FAKE.awsAccessKey} and ${FAKE.visa}`, n: 4111111111111111 });
    expect(value).toEqual({ log: "used [REDACTED:aws_access_key] and [REDACTED:credit_card]", n: "[REDACTED:credit_card]" });
    expect(countByType(findings)).toEqual({ aws_access_key: 1, credit_card: 2 });
  });

  it("parses JSON inside strings, redacts it and re-serialises it in its own indentation", () => {
    const inner = { config: { password: "pw-1", host: "db" }, n: 1 };
    const compact = redactJson({ text: JSON.stringify(inner) }).value as { text: string };
    expect(JSON.parse(compact.text)).toEqual({ config: { password: "[REDACTED:password]", host: "db" }, n: 1 });
    expect(compact.text).not.toContain("\n");
    const pretty = redactJson([JSON.stringify(inner, null, 2)]).value as string[];
    expect(pretty[0]).toBe(JSON.stringify({ config: { password: "[REDACTED:password]", host: "db" }, n: 1 }, null, 2));
  });

  it("returns the same object when nothing is found (no copy)", () => {
    const doc = { a: [1, "two", { three: 3 }], b: "nothing to see here at all" };
    expect(redactJson(doc).value).toBe(doc);
  });

  it("text: false keeps value detection off but still redacts by key", () => {
    expect(redactJson({ password: "x", note: FAKE.githubPat }, { text: false }).value).toEqual({ password: "[REDACTED:password]", note: FAKE.githubPat });
  });

  it("honours configured keys and the keep list", () => {
    expect(redactJson({ pin: "1234", password: "p" }, { keys: ["pin"] }).value).toEqual({ pin: "[REDACTED:pin]", password: "p" });
    expect(redactJson({ public_token: "pt", token: "t" }, { keep: ["publicToken"] }).value).toEqual({ public_token: "pt", token: "[REDACTED:token]" });
  });

  it("splits findings back to the right strings when many are scanned together", () => {
    const doc = { a: ["clean", `x ${FAKE.githubPat}`, "still clean text", `${FAKE.ssn} y`], b: `-----BEGIN RSA PRIVATE KEY-----\nabc` };
    expect(redactJson(doc).value).toEqual({ a: ["clean", "x [REDACTED:github_token]", "still clean text", "[REDACTED:ssn] y"], b: "[REDACTED:private_key]" });
  });

  it("fails closed on absurd nesting instead of overflowing the stack", () => {
    let deep: unknown = { password: "p" };
    for (let i = 0; i < 5000; i++) deep = [deep];
    expect(JSON.stringify(redactJson(deep).value)).not.toContain('"p"');
  });
});

describe("redactValue (for audit records)", () => {
  it("a redacted value never appears in the serialised audit record", () => {
    const record = {
      event: "tool_call",
      tool: "send_email",
      args: { to: "a@b.c", body: `here is the key ${FAKE.awsAccessKey} and ${FAKE.jwt}`, smtp_password: "pw-xyz-123" },
      error: `upstream said: token=${FAKE.githubPat}`,
    };
    const line = JSON.stringify(redactValue(record));
    for (const v of [FAKE.awsAccessKey, FAKE.jwt, "pw-xyz-123", FAKE.githubPat]) expect(line).not.toContain(v);
    expect(line).toContain("[REDACTED:aws_access_key]");
    const opts = { hashKey: "audit-key" };
    expect(redactValue(record, opts)).toEqual(redactValue(record, opts));
  });
});
