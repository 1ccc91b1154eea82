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

  it("reports the length in characters as the spread string does, lone surrogates included", () => {
    const cases = ["😀😀😀😀😀😀", "ab😀cd😀", "\ud83dabcde", "abcde\ude00", "\ude00\ud83d😀abc", "😀".repeat(3) + "\ud83d\ud83d", "abcdef", "é".repeat(9), "e\u0301".repeat(3)];
    for (const note of cases) {
      const len = [...note].length;
      const got = checkArguments({ id: "x", note }, rules);
      if (len > 5) expect(got, JSON.stringify(note)).toEqual({ argument: "note", rule: "max_length", reason: `argument \`note\` is ${len} characters long; the limit is 5` });
      else expect(got, JSON.stringify(note)).toBeUndefined();
    }
    // Non-strings are measured as JSON.
    expect(checkArguments({ id: "x", note: [1, 2] }, rules)).toBeUndefined();
    expect(checkArguments({ id: "x", note: [1, 22] }, rules)).toMatchObject({ rule: "max_length", reason: "argument `note` is 6 characters long; the limit is 5" });
  });

  it("enum matches by strict equality and checks rules in their configured order", () => {
    const r = { a: { enum: [1, "2", null] as unknown[] }, b: { required: true } };
    expect(checkArguments({ a: 1, b: 0 }, r as never)).toBeUndefined();
    expect(checkArguments({ a: null, b: 0 }, r as never)).toBeUndefined();
    expect(checkArguments({ a: "1", b: 0 }, r as never)).toMatchObject({ argument: "a", rule: "enum", reason: 'argument `a` must be one of 1, "2", null' });
    expect(checkArguments({ a: 2 }, r as never)).toMatchObject({ argument: "a", rule: "enum" });
    expect(checkArguments({ a: 1 }, r as never)).toMatchObject({ argument: "b", rule: "required" });
    expect(checkArguments({ a: 2 }, { b: r.b, a: r.a } as never)).toMatchObject({ argument: "b", rule: "required" });
  });
});
