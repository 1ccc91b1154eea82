import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/errors/error-codes.js";

const doc = fs.readFileSync(path.join(import.meta.dirname, "../../docs/errors.md"), "utf8");

describe("error code registry", () => {
  it.each(Object.entries(ERROR_CODES))("%s is documented with its JSON-RPC number", (name, { rpc }) => {
    expect(doc).toMatch(new RegExp(`\\| \`${name}\` \\| ${rpc} \\|`));
  });

  it("JSON-RPC numbers are unique and avoid the MCP transport's reserved -32020..-32029", () => {
    const nums = Object.values(ERROR_CODES).map((c) => c.rpc);
    expect(new Set(nums).size).toBe(nums.length);
    expect(nums.filter((n) => n <= -32020 && n >= -32029)).toEqual([]);
  });
});
