import { describe, expect, it } from "vitest";
import { createScopeLayer } from "../../../src/layers/identity/identity-layer.js";
import { SessionState, type Principal } from "../../../src/pipeline/session-state.js";
import { policyOf } from "../../helpers/policy.js";

const principal = (...scopes: string[]): Principal => ({ kind: "api_key", id: "k1", scopes });
const ctxOf = (p: Principal | undefined, server = policyOf({}, "files")) => {
  const session = new SessionState();
  session.principal = p;
  session.tools.observe([{ name: "read_file" }, { name: "write_file" }, { name: "search_docs" }], true, true);
  return { server, session };
};
const call = (name: string) => ({ jsonrpc: "2.0" as const, id: 1, method: "tools/call", params: { name } });
const list = { jsonrpc: "2.0" as const, id: 2, result: { tools: [{ name: "read_file" }, { name: "write_file" }, { name: "search_docs" }] } };
const listReq = { jsonrpc: "2.0" as const, id: 2, method: "tools/list" };

describe("identity (scope) layer", () => {
  const layer = createScopeLayer();

  it("is named identity", () => {
    expect(layer.name).toBe("identity");
  });

  it("without a principal (stdio) allows everything", () => {
    const ctx = ctxOf(undefined);
    expect(layer.onRequest!(call("write_file"), ctx)).toEqual({ kind: "allow" });
    expect(layer.onResponse!(list, listReq, ctx)).toEqual({ kind: "allow" });
  });

  it("refuses tools/call the scopes do not grant, using the tool's operation", () => {
    const ctx = ctxOf(principal("server:files/op:read|search"));
    expect(layer.onRequest!(call("read_file"), ctx)).toEqual({ kind: "allow" });
    expect(layer.onRequest!(call("search_docs"), ctx)).toEqual({ kind: "allow" });
    expect(layer.onRequest!(call("write_file"), ctx)).toMatchObject({ kind: "deny", code: "TOOL_DENIED", rule: "scope", event: "scope_denied", details: { principal: "k1", operation: "write" } });
  });

  it("a config operation override counts", () => {
    const server = policyOf({ tools: { policies: { write_file: { operation: "read" } } } }, "files");
    expect(layer.onRequest!(call("write_file"), ctxOf(principal("op:read"), server))).toEqual({ kind: "allow" });
  });

  it("filters tools/list the same way", () => {
    const d = layer.onResponse!(list, listReq, ctxOf(principal("server:files/tool:read_*", "server:files/op:search"))) as { kind: string; message: { result: { tools: { name: string }[] } }; event: string };
    expect(d.kind).toBe("modify");
    expect(d.event).toBe("tools_filtered");
    expect(d.message.result.tools.map((t) => t.name)).toEqual(["read_file", "search_docs"]);
    expect(layer.onResponse!(list, listReq, ctxOf(principal("*")))).toEqual({ kind: "allow" });
  });

  it("refuses any other method on a server the key has no scope for", () => {
    const ctx = ctxOf(principal("server:db"));
    expect(layer.onRequest!({ jsonrpc: "2.0", id: 3, method: "resources/read", params: {} }, ctx)).toMatchObject({ kind: "deny", code: "FORBIDDEN", rule: "scope" });
    expect(layer.onRequest!(call("read_file"), ctx)).toMatchObject({ kind: "deny", code: "TOOL_DENIED" });
    expect(layer.onRequest!({ jsonrpc: "2.0", id: 3, method: "resources/read", params: {} }, ctxOf(principal("server:files/op:read")))).toEqual({ kind: "allow" });
  });
});

describe("scope refusals name the kind of credential", () => {
  it("OAuth callers are told about tokens and portcullis: scopes, API-key callers about keys", async () => {
    const { decideToolScope } = await import("../../../src/layers/identity/decide-scope.js");
    const server = policyOf({}, "files");
    const oauth = decideToolScope({ kind: "oauth", id: "u_1234", scopes: ["server:db"] }, "read_file", undefined, server);
    expect(oauth).toMatchObject({ kind: "deny", reason: expect.stringMatching(/token of caller `u_1234`.*portcullis:server:files\/tool:read_file/) });
    const key = decideToolScope({ kind: "api_key", id: "k1", scopes: ["server:db"] }, "read_file", undefined, server);
    expect(key).toMatchObject({ kind: "deny", reason: expect.stringMatching(/API key `k1`.*a key with a scope such as server:files/) });
  });
});
