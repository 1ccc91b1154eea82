import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { redactText } from "../../../src/layers/redaction/redact-text.js";
import { FAKE, alnum, luhnNumber } from "../../fixtures/redaction/fake-secrets.js";

const types = (text: string, pii = false) => redactText(text, { pii }).findings.map((f) => f.type);
const redacted = (text: string, pii = false) => redactText(text, { pii }).text;

describe("value detectors: true positives", () => {
  const cases: [string, string, string][] = [
    ["aws_access_key", `key id ${FAKE.awsAccessKey} in a log`, FAKE.awsAccessKey],
    ["aws_secret_key", `aws_secret_access_key = ${FAKE.awsSecretKey}`, FAKE.awsSecretKey],
    ["aws_secret_key", `{"SecretAccessKey": "${FAKE.awsSecretKey}"}`, FAKE.awsSecretKey],
    ["github_token", `token: ${FAKE.githubPat}`, FAKE.githubPat],
    ["github_token", `${FAKE.githubFineGrained} `, FAKE.githubFineGrained],
    ["gitlab_token", `export GL=${FAKE.gitlabPat}`, FAKE.gitlabPat],
    ["openai_api_key", `OPENAI_API_KEY=${FAKE.openaiProject}`, FAKE.openaiProject],
    ["openai_api_key", `use ${FAKE.openaiLegacy} now`, FAKE.openaiLegacy],
    ["anthropic_api_key", `x-api-key: ${FAKE.anthropic}`, FAKE.anthropic],
    ["slack_token", `bot ${FAKE.slackBot}`, FAKE.slackBot],
    ["slack_webhook", `post to ${FAKE.slackWebhook}`, FAKE.slackWebhook.split("/services/")[1]!],
    ["stripe_key", `stripe ${FAKE.stripe}`, FAKE.stripe],
    ["google_api_key", `maps ${FAKE.google}`, FAKE.google],
    ["npm_token", `//registry.npmjs.org/:_authToken=${FAKE.npm}`, FAKE.npm],
    ["jwt", `Cookie jar: ${FAKE.jwt}`, FAKE.jwt],
    ["private_key", `key:\n${FAKE.pem}\nend`, "MIIEowIBAAKCAQEA"],
    ["password", "postgres://admin:s3cr3t-Pa55@db.internal:5432/app", "s3cr3t-Pa55"],
    ["password", "mongodb+srv://u:p%40ss@w0rd@cluster0.example.net/db", "p%40ss@w0rd"],
    ["credit_card", `card ${FAKE.visa} exp 12/29`, "1111 1111 1111"],
    ["credit_card", `amex ${luhnNumber("37", 15)}.`, luhnNumber("37", 15)],
    ["credit_card", `mc ${luhnNumber("5555", 16)}`, luhnNumber("5555", 16)],
    ["iban", `IBAN: ${FAKE.iban}, thanks`, "WEST 1234"],
    ["iban", "DE89370400440532013000", "DE89370400440532013000"],
    ["ssn", `SSN ${FAKE.ssn}`, FAKE.ssn],
  ];
  for (const [type, text, secret] of cases) {
    it(`${type}: ${text.slice(0, 40)}`, () => {
      const r = redactText(text);
      expect(r.findings.map((f) => f.type)).toContain(type);
      expect(r.text).toContain(`[REDACTED:${type}]`);
      expect(r.text).not.toContain(secret);
    });
  }

  it("key = value assignments in text, whatever the key's case and separators", () => {
    expect(redacted("password=hunter2")).toBe("password=[REDACTED:password]");
    expect(redacted("DB_PASSWORD='correct horse'")).toBe("DB_PASSWORD='[REDACTED:password]'");
    expect(redacted('{"apiKey":"abc123xyz"}')).toBe('{"apiKey":"[REDACTED:api_key]"}');
    expect(redacted("API-KEY: abc123xyz")).toBe("API-KEY: [REDACTED:api_key]");
    expect(redacted("Authorization: Bearer abc.def.ghi123")).toBe("Authorization: Bearer [REDACTED:authorization]");
    expect(redacted("Server=db;User Id=sa;Password=Pa55word!;")).toBe("Server=db;User Id=sa;Password=[REDACTED:password];");
  });

  it("emails and phone numbers only in PII mode", () => {
    const text = "mail jane.doe@example.com or call +1 415 555 0100";
    expect(types(text)).toEqual([]);
    expect(types(text, true)).toEqual(["email", "phone"]);
    expect(redacted(text, true)).toBe("mail [REDACTED:email] or call [REDACTED:phone]");
  });

  it("findings carry type and offsets, never the value", () => {
    const r = redactText(`a ${FAKE.awsAccessKey} b`);
    expect(r.findings).toEqual([{ type: "aws_access_key", start: 2, end: 22 }]);
    expect(JSON.stringify(r.findings)).not.toContain(FAKE.awsAccessKey);
  });
});

describe("value detectors: near misses are left alone", () => {
  const clean: [string, string][] = [
    ["Luhn-invalid card", "card 4111 1111 1111 1112"],
    ["Luhn-valid but no issuer prefix (timestamp-like)", luhnNumber("17", 16)],
    ["badly grouped digits", "41 11 11 11 11 11 11 11"],
    ["UUID", "id 550e8400-e29b-41d4-a716-446655440000"],
    ["SHA-1 / git commit", "commit 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"],
    ["SHA-256", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    ["IBAN with wrong check digits", "GB83 WEST 1234 5698 7654 32"],
    ["IBAN with wrong length", "GB82 WEST 1234 5698 7654 3"],
    ["SSN area 000", "000-12-3456"],
    ["SSN area 666", "666-12-3456"],
    ["SSN area 9xx", "912-34-5678"],
    ["SSN group 00", "123-00-4567"],
    ["dates and versions", "released 2024-01-15, v1.2.3, build 20240115, port 5432"],
    ["ordinary numbers", "total 1234567890 items, 3.14159265358979, -42, 1e21, 1700000000000"],
    ["AWS-like but too short", "AKIAIOSFODNN7EXAMP"],
    ["40 base64 chars without an AWS key name", `etag ${FAKE.awsSecretKey}`],
    ["short ghp_ string", "ghp_abc is not a token"],
    ["dotted base64 that is not a JWT", "eyJub3QiOjF9x.eyJhYmMiOjF9.c2ln is just data"],
    ["URL without a password", "https://user@example.com:8443/path?q=1"],
    ["URL with a port", "http://localhost:8080/api"],
    ["connection-string placeholder", "postgres://user:${DB_PASSWORD}@db/app"],
    ["placeholder assignment", "password=<your-password> token: ${TOKEN} secret=****"],
    ["token count", "max_tokens: 4096, total_tokens=12"],
    ["key about a secret", "token_type: Bearer, secret_name: prod-db"],
    ["PEM public key", "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----"],
    ["data URI image", `<img src="data:image/png;base64,${randomBytes(3000).toString("base64")}">`],
  ];
  for (const [name, text] of clean) {
    it(name, () => expect(types(text)).toEqual([]));
  }

  it("random base64 and hex blobs", () => {
    for (let i = 0; i < 200; i++) {
      expect(types(randomBytes(40 + i).toString("base64"))).toEqual([]);
      expect(types(randomBytes(20 + (i % 20)).toString("hex"))).toEqual([]);
    }
    expect(types(alnum(4000, 99))).toEqual([]);
  });

  it("redacting twice changes nothing the second time", () => {
    const once = redacted(`password=hunter2 ${FAKE.githubPat} ${FAKE.visa} ${FAKE.jwt}`);
    expect(redacted(once)).toBe(once);
  });
});

describe("keyed hash tags", () => {
  it("the same secret gets the same tag, a different one another, and the value never shows", () => {
    const a = redactText(`k ${FAKE.awsAccessKey}`, { hashKey: "k1" }).text;
    const b = redactText(`other ${FAKE.awsAccessKey}`, { hashKey: "k1" }).text;
    const c = redactText(`k ${FAKE.awsAccessKey.replace("EXAMPLE", "EXAMPLF")}`, { hashKey: "k1" }).text;
    const tag = /\[REDACTED:aws_access_key:([0-9a-f]{6})\]/;
    expect(a).toMatch(tag);
    expect(tag.exec(a)![1]).toBe(tag.exec(b)![1]);
    expect(tag.exec(a)![1]).not.toBe(tag.exec(c)![1]);
    expect(redactText(`k ${FAKE.awsAccessKey}`, { hashKey: "k2" }).text).not.toBe(a);
  });
});
