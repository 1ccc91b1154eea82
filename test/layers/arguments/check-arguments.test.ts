import { describe, expect, it } from "vitest";
import { checkArguments } from "../../../src/layers/arguments/check-arguments.js";

describe("checkArguments", () => {
  const rules = {
    path: { pattern: "^/srv/docs/(?!.*\\.\\.)" },
    mode: { enum: ["r", "w"] },
    note: { max_length: 5 },
    count: { min: 1, max: 10 },
    id: { required: true },
  };

  it("accepts arguments that satisfy every rule", () => {
    expect(checkArguments({ id: "x", path: "/srv/docs/a.md", mode: "r", note: "hey", count: 3 }, rules)).toBeUndefined();
  });

  it.each([
    [{ id: "x", path: "/etc/passwd" }, "path", "pattern"],
    [{ id: "x", path: "/srv/docs/../etc/passwd" }, "path", "pattern"],
    [{ id: "x", path: 42 }, "path", "pattern"],
    [{ id: "x", mode: "rw" }, "mode", "enum"],
    [{ id: "x", note: "too long" }, "note", "max_length"],
    [{ id: "x", count: 0 }, "count", "range"],
    [{ id: "x", count: 11 }, "count", "range"],
    [{ id: "x", count: "5" }, "count", "range"],
    [{}, "id", "required"],
  ])("rejects %j (%s: %s)", (args, argument, rule) => {
    expect(checkArguments(args, rules)).toMatchObject({ argument, rule });
  });

  it("rejects non-object arguments", () => {
    expect(checkArguments(["a"], rules)).toMatchObject({ rule: "object" });
  });

  it("counts characters, not UTF-16 units, for max_length", () => {
    expect(checkArguments({ id: "x", note: "😀😀😀😀😀" }, rules)).toBeUndefined();
  });
});
