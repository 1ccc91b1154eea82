import { describe, expect, it } from "vitest";
import { mergeCapabilities, mergeInitialize } from "../../../../src/transport/http/aggregate/merge-results.js";
import { ResourceRoutes } from "../../../../src/transport/http/aggregate/resource-routes.js";

describe("/mcp merged initialize and capabilities", () => {
  it("offers the union of what the servers can do, and only what /mcp can route", () => {
    expect(mergeCapabilities([{ tools: {}, logging: {} }, { prompts: { listChanged: true }, resources: { subscribe: true }, experimental: { x: {} } }])).toEqual({
      tools: { listChanged: true }, prompts: { listChanged: true }, resources: { subscribe: true, listChanged: false }, logging: {},
    });
    expect(mergeCapabilities([{ tools: {} }])).toEqual({ tools: { listChanged: true } });
  });

  it("answers the client's version when a server agreed to it, and labels instructions by server", () => {
    const r = mergeInitialize("2025-11-25", [
      { server: "a", result: { protocolVersion: "2025-06-18", capabilities: { tools: {} }, instructions: "Use a carefully." } },
      { server: "b", result: { protocolVersion: "2025-11-25", capabilities: {} } },
    ]);
    expect(r).toMatchObject({ protocolVersion: "2025-11-25", serverInfo: { name: "portcullis" }, capabilities: { tools: { listChanged: true } } });
    expect(r.instructions).toMatch(/Server "a" \(tools and prompts named a__\*\):\nUse a carefully\./);
    expect(mergeInitialize("2099-01-01", [{ server: "a", result: { protocolVersion: "2025-06-18" } }]).protocolVersion).toBe("2025-06-18");
  });
});

describe("/mcp resource routing", () => {
  it("routes a URI to the server that listed it, then by template, and refuses ambiguous or unknown ones", () => {
    const r = new ResourceRoutes();
    r.learnResources("a", [{ uri: "file:///a.txt" }, { uri: "same://x" }]);
    r.learnResources("b", [{ uri: "demo://1" }, { uri: "same://x" }]);
    r.learnTemplates("b", [{ uriTemplate: "demo://resource/{id}" }, { uriTemplate: "docs://{+path}" }]);
    const all = ["a", "b"];
    expect(r.owner("file:///a.txt", all)).toEqual({ kind: "one", server: "a" });
    expect(r.owner("demo://resource/7", all)).toEqual({ kind: "one", server: "b" });
    expect(r.owner("demo://resource/7/x", all)).toEqual({ kind: "unknown" }); // {id} is one segment
    expect(r.owner("docs://deep/er/file.md", all)).toEqual({ kind: "one", server: "b" });
    expect(r.owner("same://x", all)).toEqual({ kind: "ambiguous", servers: ["a", "b"] });
    expect(r.owner("same://x", ["b"])).toEqual({ kind: "one", server: "b" }); // only servers the caller may reach count
    expect(r.owner("nowhere://x", all)).toEqual({ kind: "unknown" });
    r.learnResources("a", []); // a fresh listing replaces the old one
    expect(r.owner("file:///a.txt", all)).toEqual({ kind: "unknown" });
  });
});
