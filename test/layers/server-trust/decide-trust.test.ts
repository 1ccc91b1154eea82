import { describe, expect, it } from "vitest";
import { classifyTool, inferOperation } from "../../../src/layers/server-trust/classify-tool.js";
import { decideTrust } from "../../../src/layers/server-trust/decide-trust.js";
import { policyOf } from "../../helpers/policy.js";

const ro = { annotations: { readOnlyHint: true } };

describe("inferOperation", () => {
  it.each([
    ["read_file", "read"], ["getUser", "read"], ["list-dirs", "read"], ["search_docs", "search"], ["query_db", "query"],
    ["write_file", "write"], ["createIssue", "write"], ["delete_records", "delete"], ["run_shell", "execute"],
    ["send_email", "execute"], ["frobnicate", "execute"],
  ])("%s -> %s", (name, op) => expect(inferOperation(name)).toBe(op));
});

describe("classifyTool", () => {
  it("annotations grant read-only above untrusted, never on untrusted servers", () => {
    expect(classifyTool("x", ro, policyOf({ trust: "low" })).readOnly).toBe(true);
    expect(classifyTool("x", ro, policyOf({ trust: "untrusted" })).readOnly).toBe(false);
  });
  it("destructiveHint cancels readOnlyHint", () => {
    expect(classifyTool("x", { annotations: { readOnlyHint: true, destructiveHint: true } }, policyOf()).readOnly).toBe(false);
  });
  it("side_effects globs win over read-only hints and grants", () => {
    const p = policyOf({ trust: "high", tools: { side_effects: ["*export*"], read_only: ["*"] } });
    expect(classifyTool("export_report", ro, p)).toMatchObject({ readOnly: false, readOnlySource: "none" });
    expect(classifyTool("read_report", ro, p).readOnly).toBe(true);
    // at low trust a side-effecting tool needs approval even though the server says it only reads
    expect(decideTrust("export_report", ro, policyOf({ trust: "low", tools: { side_effects: ["*export*"] } }))).toMatchObject({ kind: "hold" });
  });

  it("config grants read-only on any trust level", () => {
    expect(classifyTool("lookup", undefined, policyOf({ trust: "untrusted", tools: { read_only: ["look*"] } }))).toMatchObject({ readOnly: true, readOnlySource: "config" });
  });
});

describe("decideTrust (the trust table)", () => {
  it("untrusted: side-effecting tools are refused outright", () => {
    expect(decideTrust("write_file", undefined, policyOf({ trust: "untrusted" }))).toMatchObject({ kind: "deny", code: "OPERATION_DENIED" });
  });
  it("untrusted: even read-only tools need approval on every call", () => {
    expect(decideTrust("read_file", undefined, policyOf({ trust: "untrusted", tools: { read_only: ["read_file"] } }))).toMatchObject({ kind: "hold", rule: "trust-approve-all" });
  });
  it("low: read-only tools run, side effects are held", () => {
    const p = policyOf({ trust: "low" });
    expect(decideTrust("read_file", ro, p).kind).toBe("allow");
    expect(decideTrust("search_docs", undefined, p)).toMatchObject({ kind: "hold", rule: "trust-side-effect" });
  });
  it("medium: read, search and query run; write is held", () => {
    const p = policyOf({ trust: "medium" });
    expect(decideTrust("search_docs", undefined, p).kind).toBe("allow");
    expect(decideTrust("query_db", undefined, p).kind).toBe("allow");
    expect(decideTrust("write_file", undefined, p).kind).toBe("hold");
  });
  it("high: adds write; delete and execute are held", () => {
    const p = policyOf({ trust: "high" });
    expect(decideTrust("write_file", undefined, p).kind).toBe("allow");
    expect(decideTrust("delete_file", undefined, p).kind).toBe("hold");
    expect(decideTrust("run_shell", undefined, p).kind).toBe("hold");
  });
  it("verified: everything runs", () => {
    expect(decideTrust("run_shell", undefined, policyOf({ trust: "verified" })).kind).toBe("allow");
  });
  it("explicit approval wins over the trust default", () => {
    expect(decideTrust("run_shell", undefined, policyOf({ trust: "low", tools: { policies: { run_shell: { approval: "never" } } } })).kind).toBe("allow");
    expect(decideTrust("read_file", ro, policyOf({ trust: "verified", tools: { policies: { read_file: { approval: "always" } } } })).kind).toBe("hold");
  });
  it("approval: never cannot lift the untrusted read-only restriction", () => {
    expect(decideTrust("run_shell", undefined, policyOf({ trust: "untrusted", tools: { policies: { run_shell: { approval: "never" } } } })).kind).toBe("deny");
  });
  it("after an injection in the session, side effects need approval even where trust would allow them", () => {
    const p = policyOf({ trust: "verified" });
    expect(decideTrust("send_email", undefined, p, { injectionSeen: true }).kind).toBe("hold");
    expect(decideTrust("read_file", ro, p, { injectionSeen: true }).kind).toBe("allow");
  });
});
