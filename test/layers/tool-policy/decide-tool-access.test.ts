import { describe, expect, it } from "vitest";
import { decideToolAccess } from "../../../src/layers/tool-policy/decide-tool-access.js";
import { catalogOf, policyOf } from "../../helpers/policy.js";

const all = catalogOf("read_file", "list_dir", "delete_file", "write_file", "search_docs", "x_tool");

describe("decideToolAccess", () => {
  it("allows every known tool when no rules are set", () => {
    expect(decideToolAccess("delete_file", policyOf(), all).kind).toBe("allow");
  });

  it("denies tools the upstream does not offer", () => {
    const d = decideToolAccess("ghost", policyOf(), all);
    expect(d).toMatchObject({ kind: "deny", code: "UNKNOWN_TOOL", rule: "unknown-tool" });
  });

  it("deny wins over allow", () => {
    const p = policyOf({ tools: { allow: ["*"], deny: ["*delete*"] } });
    expect(decideToolAccess("delete_file", p, all)).toMatchObject({ kind: "deny", rule: "deny-list", code: "TOOL_DENIED" });
    expect(decideToolAccess("read_file", p, all).kind).toBe("allow");
  });

  it("an allow list hides everything it does not match, except tools named under policies", () => {
    const p = policyOf({ tools: { allow: ["read_*", "list_*"], policies: { write_file: { approval: "always" } } } });
    expect(decideToolAccess("read_file", p, all).kind).toBe("allow");
    expect(decideToolAccess("search_docs", p, all)).toMatchObject({ kind: "deny", rule: "allow-list" });
    expect(decideToolAccess("write_file", p, all).kind).toBe("allow");
  });

  it("require_prefix refuses other names, even ones the allow list matches", () => {
    const p = policyOf({ tools: { allow: ["*"], require_prefix: "search_" } });
    expect(decideToolAccess("search_docs", p, all).kind).toBe("allow");
    expect(decideToolAccess("read_file", p, all)).toMatchObject({ kind: "deny", rule: "require-prefix" });
  });

  it("max_tools keeps the first N permitted tools in upstream order", () => {
    const p = policyOf({ tools: { deny: ["delete_*"], max_tools: 2 } });
    expect(decideToolAccess("read_file", p, all).kind).toBe("allow");
    expect(decideToolAccess("list_dir", p, all).kind).toBe("allow");
    // delete_file is denied, so it does not use up a slot; write_file is third permitted.
    expect(decideToolAccess("write_file", p, all)).toMatchObject({ kind: "deny", rule: "max-tools" });
  });

  it("globs span dots and slashes in tool names", () => {
    const p = policyOf({ tools: { deny: ["files*"] } });
    expect(decideToolAccess("files/read.all", p, catalogOf("files/read.all"))).toMatchObject({ kind: "deny" });
  });
});
