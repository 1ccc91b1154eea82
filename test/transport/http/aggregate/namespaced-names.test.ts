import { describe, expect, it } from "vitest";
import { MAX_NAMESPACED_LENGTH, namespaceName, serverNameProblem, splitNamespaced } from "../../../../src/transport/http/aggregate/namespaced-names.js";

describe("/mcp namespaced names", () => {
  it("names tools <server>__<tool> and reads them back by splitting at the first __", () => {
    expect(namespaceName("everything", "echo")).toEqual({ ok: true, name: "everything__echo" });
    expect(splitNamespaced("everything__echo")).toEqual({ server: "everything", name: "echo" });
    // The tool part may contain __ and start with _: the server part never does (nor ends with _).
    expect(splitNamespaced("fs__read__file")).toEqual({ server: "fs", name: "read__file" });
    expect(splitNamespaced("fs___private")).toEqual({ server: "fs", name: "_private" });
    expect(splitNamespaced("my-srv_2__get.thing")).toEqual({ server: "my-srv_2", name: "get.thing" });
  });

  it("round-trips every name it produces, so two (server, tool) pairs never collide", () => {
    const servers = ["a", "a_b", "a-b", "ab", "x1"];
    const tools = ["t", "_t", "t_", "__t", "t__u", "a__b", "b", "_", "-", "."];
    const seen = new Map<string, string>();
    for (const s of servers) for (const t of tools) {
      const n = namespaceName(s, t);
      expect(n.ok).toBe(true);
      if (!n.ok) continue;
      expect(splitNamespaced(n.name)).toEqual({ server: s, name: t });
      expect(seen.get(n.name)).toBeUndefined();
      seen.set(n.name, `${s}/${t}`);
    }
  });

  it("refuses names without a server part, without __, or that could not have been produced", () => {
    for (const bad of ["echo", "__echo", "everything__", "every thing__echo", "a__b c", "a__é", "a_ __b", ""]) expect(splitNamespaced(bad)).toBeUndefined();
  });

  it("refuses server names that would be ambiguous", () => {
    expect(serverNameProblem("files")).toBeUndefined();
    expect(serverNameProblem("my__files")).toMatch(/contains "__"/);
    expect(serverNameProblem("files_")).toMatch(/ends with "_"/);
    expect(serverNameProblem("fi les")).toMatch(/letters, digits/);
    expect(namespaceName("files_", "x").ok).toBe(false);
    expect(splitNamespaced("files___x")).toEqual({ server: "files", name: "_x" });
  });

  it("does not offer tools with odd characters or names over the length limit", () => {
    expect(namespaceName("s", "read file")).toMatchObject({ ok: false, reason: expect.stringMatching(/characters/) });
    expect(namespaceName("s", "t\u200bx")).toMatchObject({ ok: false });
    expect(namespaceName("s", "")).toMatchObject({ ok: false });
    const longest = "t".repeat(MAX_NAMESPACED_LENGTH - 3);
    expect(namespaceName("s", longest)).toEqual({ ok: true, name: `s__${longest}` });
    expect(namespaceName("s", `${longest}t`)).toMatchObject({ ok: false, reason: expect.stringMatching(/129 characters/) });
    expect(splitNamespaced(`s__${longest}t`)).toBeUndefined();
  });
});
