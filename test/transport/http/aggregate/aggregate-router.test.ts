import { describe, expect, it } from "vitest";
import { AggregateRouter, type AggregateBackend } from "../../../../src/transport/http/aggregate/aggregate-router.js";
import { MemoryAudit } from "../../../helpers/memory-audit.js";

type Obj = Record<string, unknown>;

/** Servers answering from fixed tables; `down` servers answer like a relay whose upstream exited. */
function backend(tables: Record<string, Record<string, Obj[]>>, opts: { down?: string[]; pages?: boolean } = {}): AggregateBackend & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    servers: Object.keys(tables),
    capabilities: (s) => Object.fromEntries(Object.keys(tables[s]!).map((k) => [k, {}])),
    async ask(s, method, params) {
      asked.push(`${s} ${method} ${JSON.stringify(params)}`);
      if (opts.down?.includes(s)) return { jsonrpc: "2.0", id: 1, error: { code: -32009, message: `server "${s}" has exited` } };
      const key = method.startsWith("tools") ? "tools" : method.startsWith("prompts") ? "prompts" : method === "resources/list" ? "resources" : "resourceTemplates";
      const all = tables[s]![key === "resourceTemplates" ? "resources" : key] ?? [];
      const items = key === "resourceTemplates" ? all.filter((r) => "uriTemplate" in r) : all.filter((r) => !("uriTemplate" in r));
      if (opts.pages && params.cursor === undefined && items.length > 1) return { jsonrpc: "2.0", id: 1, result: { [key]: items.slice(0, 1), nextCursor: "p2" } };
      return { jsonrpc: "2.0", id: 1, result: { [key]: params.cursor === "p2" ? items.slice(1) : items } };
    },
  };
}

describe("/mcp router", () => {
  const tables = {
    a: { tools: [{ name: "echo", description: "A's echo" }, { name: "bad name" }], prompts: [{ name: "p" }] },
    b: { tools: [{ name: "echo", description: "B's echo" }], resources: [{ uri: "b://x" }, { uriTemplate: "b://item/{id}" }] },
  };

  it("merges every server's list under namespaced names, following pagination; unusable names are left out and audited", async () => {
    const audit = new MemoryAudit();
    const r = new AggregateRouter({ audit, log: () => {} });
    const be = backend(tables, { pages: true });
    const out = await r.list("tools/list", { cursor: "ignored", _meta: { progressToken: 1 } }, be);
    expect(out.tools).toEqual([{ name: "a__echo", description: "A's echo" }, { name: "b__echo", description: "B's echo" }]);
    expect(be.asked).toContain('a tools/list {"_meta":{"progressToken":1},"cursor":"p2"}'); // our cursor, never the client's
    expect(audit.entries).toMatchObject([{ event: "aggregate_name_refused", server: "a", tool: "bad name", layer: "aggregate" }]);
    // b has no prompts capability: not asked.
    expect((await r.list("prompts/list", {}, be)).prompts).toEqual([{ name: "a__p" }]);
    expect(be.asked.some((x) => x.startsWith("b prompts/list"))).toBe(false);
  });

  it("leaves a failing server out of lists (logged and audited) and keeps the others", async () => {
    const audit = new MemoryAudit();
    const logs: string[] = [];
    const r = new AggregateRouter({ audit, log: (l) => logs.push(l), session: "g_1" });
    const out = await r.list("tools/list", {}, backend(tables, { down: ["a"] }));
    expect(out.tools).toEqual([{ name: "b__echo", description: "B's echo" }]);
    expect(logs.join()).toMatch(/server "a" left out of tools\/list: server "a" has exited/);
    expect(audit.entries).toMatchObject([{ event: "upstream_error", session: "g_1", server: "a", rule: "server-omitted", code: "UPSTREAM_UNAVAILABLE", decision: "deny" }]);
  });

  it("routes calls with the original name and refuses unknown ones like an unknown tool (audited, isError)", async () => {
    const audit = new MemoryAudit();
    const r = new AggregateRouter({ audit, log: () => {} });
    const be = backend(tables);
    expect(await r.target(1, "tools/call", { name: "b__echo", arguments: { m: 1 } }, be, false)).toEqual({ kind: "forward", server: "b", params: { name: "echo", arguments: { m: 1 } } });
    for (const name of ["c__echo", "echo"]) {
      const t = await r.target(7, "tools/call", { name }, be, true);
      expect(t).toMatchObject({ kind: "reply", reply: { id: 7, result: { isError: true, resultType: "complete", _meta: { portcullis: { code: "UNKNOWN_TOOL", layer: "aggregate", rule: "unknown-namespace" } } } } });
    }
    expect(audit.entries.map((e) => e.tool)).toEqual(["c__echo", "echo"]);
    expect(await r.target(2, "prompts/get", { name: "nope" }, be, false)).toMatchObject({ kind: "reply", reply: { error: { code: -32600, data: { portcullis: { code: "INVALID_REQUEST" } } } } });
    expect(await r.target(3, "tasks/get", {}, be, false)).toMatchObject({ kind: "reply", status: 404, reply: { error: { code: -32601 } } });
  });

  it("routes resource reads by listing first when the URI is unknown, and completion refs by prompt name or template", async () => {
    const r = new AggregateRouter({ audit: new MemoryAudit(), log: () => {} });
    const be = backend(tables);
    expect(await r.target(1, "resources/read", { uri: "b://item/9" }, be, false)).toMatchObject({ kind: "forward", server: "b" });
    expect(be.asked.some((x) => x.startsWith("b resources/templates/list"))).toBe(true);
    expect(await r.target(2, "resources/subscribe", { uri: "b://x" }, be, false)).toMatchObject({ kind: "forward", server: "b", params: { uri: "b://x" } });
    expect(await r.target(3, "resources/read", { uri: "z://1" }, be, false)).toMatchObject({ kind: "reply", reply: { error: { data: { portcullis: { rule: "unknown-resource" } } } } });
    expect(await r.target(4, "completion/complete", { ref: { type: "ref/prompt", name: "a__p" }, argument: { name: "x", value: "" } }, be, false))
      .toEqual({ kind: "forward", server: "a", params: { ref: { type: "ref/prompt", name: "p" }, argument: { name: "x", value: "" } } });
  });
});
