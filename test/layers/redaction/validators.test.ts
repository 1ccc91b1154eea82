import { describe, expect, it } from "vitest";
import { isValidIban } from "../../../src/layers/redaction/iban.js";
import { createKeyMatcher } from "../../../src/layers/redaction/key-matcher.js";
import { isLuhnValid } from "../../../src/layers/redaction/luhn.js";
import { isPlausibleCardNumber } from "../../../src/layers/redaction/payment-card.js";
import { DEFAULT_REDACTION_KEYS } from "../../../src/layers/redaction/redaction-options.js";
import { isValidSsn } from "../../../src/layers/redaction/us-ssn.js";
import { luhnNumber } from "../../fixtures/redaction/fake-secrets.js";

describe("validators", () => {
  it("Luhn", () => {
    expect(isLuhnValid("4111111111111111")).toBe(true);
    expect(isLuhnValid("4111111111111112")).toBe(false);
    expect(isLuhnValid(luhnNumber("6011", 16))).toBe(true);
    expect(isLuhnValid("")).toBe(false);
  });

  it("card numbers need Luhn, an issuer prefix, 13-19 digits and sane grouping", () => {
    expect(isPlausibleCardNumber("4111 1111 1111 1111")).toBe(true);
    expect(isPlausibleCardNumber("4111-1111-1111-1111")).toBe(true);
    expect(isPlausibleCardNumber(luhnNumber("2221", 16))).toBe(true);
    expect(isPlausibleCardNumber(luhnNumber("1", 16))).toBe(false);
    expect(isPlausibleCardNumber(luhnNumber("4", 12))).toBe(false);
    expect(isPlausibleCardNumber("4111 1111-1111 1111")).toBe(false);
    expect(isPlausibleCardNumber("0000000000000000")).toBe(false);
  });

  it("IBAN mod-97 and country length", () => {
    expect(isValidIban("GB82WEST12345698765432")).toBe(true);
    expect(isValidIban("DE89370400440532013000")).toBe(true);
    expect(isValidIban("GB82WEST12345698765433")).toBe(false);
    expect(isValidIban("GB82WEST1234569876543")).toBe(false);
    expect(isValidIban("ZZ82WEST12345698765432")).toBe(false);
  });

  it("SSN ranges", () => {
    expect(isValidSsn("123", "45", "6789")).toBe(true);
    for (const [a, g, s] of [["000", "12", "3456"], ["666", "12", "3456"], ["900", "12", "3456"], ["123", "00", "4567"], ["123", "45", "0000"], ["078", "05", "1120"]]) {
      expect(isValidSsn(a!, g!, s!)).toBe(false);
    }
  });
});

describe("key matcher", () => {
  const m = createKeyMatcher(DEFAULT_REDACTION_KEYS);
  it("is case- and separator-insensitive and names the longest matching pattern", () => {
    for (const k of ["apiKey", "API-KEY", "api_key", "x-api-key", "APIKEY"]) expect(m(k, "string")).toBe("api_key");
    expect(m("db_password", "string")).toBe("password");
    expect(m("passwordHash", "string")).toBe("password_hash");
    expect(m("accessToken", "string")).toBe("token");
    expect(m("SSN", "string")).toBe("ssn");
    expect(m("customer_ssn", "number")).toBe("ssn");
  });
  it("leaves keys that only resemble a pattern, name something about a secret, or count", () => {
    expect(m("className", "string")).toBeUndefined();
    expect(m("address_number", "string")).toBeUndefined();
    expect(m("token_type", "string")).toBeUndefined();
    expect(m("secret_name", "string")).toBeUndefined();
    expect(m("max_tokens", "number")).toBeUndefined();
    expect(m("password_required", "other")).toBeUndefined();
    expect(m("username", "string")).toBeUndefined();
  });
  it("keep wins over patterns", () => {
    const k = createKeyMatcher(DEFAULT_REDACTION_KEYS, ["public_token"]);
    expect(k("publicToken", "string")).toBeUndefined();
    expect(k("privateToken", "string")).toBe("token");
  });
});
