import { describe, expect, it } from "vitest";
import { redactJson } from "../../../src/layers/redaction/redact-json.js";
import { createTextRedactor } from "../../../src/layers/redaction/redact-text.js";

// Inputs built to make a backtracking regex go quadratic or worse; every detector must stay linear.
const MB = 1024 * 1024;
const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
const ADVERSARIAL: Record<string, string> = {
  digits: fill("4"),
  "digit groups": fill("4111 "),
  "ssn-ish": fill("123-45-"),
  "iban-ish": fill("GB82 "),
  "begin without end": fill("-----BEGIN RSA PRIVATE KEY-----\n"),
  "jwt prefixes": fill("eyJhbGciOi."),
  "token prefixes": fill("ghp_sk-xoxb-AKIAglpat-"),
  "url userinfo": fill("a://b:"),
  "at signs": fill("a@b."),
  "assignments": fill("password=password="),
  "quotes": fill('password: "'),
  "base64": fill("QUJDRA+/"),
  "phone-ish": fill("+1 (555) "),
};

describe("linear time on adversarial 1 MB inputs", () => {
  const r = createTextRedactor({ pii: true });
  for (const [name, text] of Object.entries(ADVERSARIAL)) {
    it(name, () => {
      const t0 = performance.now();
      r.redact(text);
      expect(performance.now() - t0).toBeLessThan(1500);
    });
  }
  it("a JSON document of many small strings", () => {
    const doc = { rows: Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `row ${i}`, note: "password: x " + i })) };
    const t0 = performance.now();
    redactJson(doc, r);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
