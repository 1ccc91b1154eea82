import { describe, expect, it } from "vitest";
import { normalizeScopes, parseScope, scopeAllows } from "../../src/auth/scopes.js";

describe("scopes", () => {
  it("role scopes (admin, approvals) parse but reach no server or tool", () => {
    expect(parseScope("approvals")).toMatchObject({ role: "approvals" });
    expect(scopeAllows(["approvals"], { server: "files" })).toBe(false);
    expect(scopeAllows(["admin", "server:files"], { server: "files" })).toBe(true);
  });

  it("* allows everything", () => {
    expect(scopeAllows(["*"], { server: "files", tool: "delete_all", operation: "delete" })).toBe(true);
    expect(scopeAllows(["*"], { server: "x" })).toBe(true);
  });

  it("server:NAME allows every tool on that server only; globs work", () => {
    expect(scopeAllows(["server:files"], { server: "files", tool: "write_file", operation: "write" })).toBe(true);
    expect(scopeAllows(["server:files"], { server: "db", tool: "q", operation: "query" })).toBe(false);
    expect(scopeAllows(["server:prod-*"], { server: "prod-db" })).toBe(true);
    expect(scopeAllows(["server:prod-*"], { server: "dev-db" })).toBe(false);
  });

  it("server/tool limits tools; server/op limits operations", () => {
    const s = ["server:db/tool:query_*", "server:files/op:read|search"];
    expect(scopeAllows(s, { server: "db", tool: "query_users", operation: "query" })).toBe(true);
    expect(scopeAllows(s, { server: "db", tool: "drop_table", operation: "delete" })).toBe(false);
    expect(scopeAllows(s, { server: "files", tool: "read_file", operation: "read" })).toBe(true);
    expect(scopeAllows(s, { server: "files", tool: "search_docs", operation: "search" })).toBe(true);
    expect(scopeAllows(s, { server: "files", tool: "write_file", operation: "write" })).toBe(false);
    // with no tool given: may the key use anything on the server?
    expect(scopeAllows(s, { server: "files" })).toBe(true);
    expect(scopeAllows(s, { server: "mail" })).toBe(false);
  });

  it("op:... alone applies to every server; an unknown operation does not satisfy an op grant", () => {
    expect(scopeAllows(["op:read"], { server: "any", tool: "get_x", operation: "read" })).toBe(true);
    expect(scopeAllows(["op:read"], { server: "any", tool: "rm_x", operation: "delete" })).toBe(false);
    expect(scopeAllows(["op:read"], { server: "any", tool: "get_x" })).toBe(false); // fail closed
    expect(scopeAllows(["tool:get_*"], { server: "any", tool: "get_x" })).toBe(true);
  });

  it("grants add up; an empty list or only malformed stored scopes allow nothing", () => {
    expect(scopeAllows(["server:a", "server:b"], { server: "b", tool: "t", operation: "execute" })).toBe(true);
    expect(scopeAllows([], { server: "a" })).toBe(false);
    expect(scopeAllows(["bogus", "server:a b"], { server: "a" })).toBe(false);
  });

  it("parts may come in any order, each once", () => {
    expect(parseScope("op:write/server:files")).toEqual(parseScope("server:files/op:write"));
    expect(() => parseScope("server:a/server:b")).toThrow(/appears twice/);
  });

  it.each([
    ["", /empty scope/],
    ["files", /not server:GLOB/],
    ["server:", /needs a name/],
    ["server:a b", /needs a name/],
    ["op:nuke", /unknown operation "nuke"/],
    ["tool:x/admin:1", /not server:GLOB/],
  ])("%j is rejected with a clear message", (s, msg) => {
    expect(() => parseScope(s)).toThrow(msg);
  });

  it("normalizeScopes trims, dedupes, and needs at least one", () => {
    expect(normalizeScopes([" server:a ", "server:a", "*"])).toEqual(["server:a", "*"]);
    expect(() => normalizeScopes([])).toThrow(/at least one scope/);
  });
});
