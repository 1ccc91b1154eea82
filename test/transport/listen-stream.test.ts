import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { filterAccepts, honoredSubset, ListenStream, parseListenFilter, stampSubscription } from "../../src/transport/http/listen-stream.js";

describe("subscriptions/listen helpers", () => {
  it("parses the filter, refusing what is not a SubscriptionFilter", () => {
    expect(parseListenFilter({ notifications: { toolsListChanged: true, resourceSubscriptions: ["a", "a", "b"] } })).toEqual({ toolsListChanged: true, resourceSubscriptions: ["a", "b"] });
    expect(parseListenFilter({})).toBeUndefined();
    expect(parseListenFilter({ notifications: [] })).toBeUndefined();
    expect(parseListenFilter({ notifications: { toolsListChanged: "yes" } })).toBeUndefined();
    expect(parseListenFilter({ notifications: { resourceSubscriptions: [1] } })).toBeUndefined();
    expect(parseListenFilter(undefined)).toBeUndefined();
  });

  it("honors only what was asked for and what the upstream declares", () => {
    const caps = { tools: { listChanged: true }, resources: { subscribe: true } };
    expect(honoredSubset({ toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true, resourceSubscriptions: ["x"] }, caps)).toEqual({ toolsListChanged: true, resourceSubscriptions: ["x"] });
    expect(honoredSubset({ toolsListChanged: false, resourceSubscriptions: [] }, caps)).toEqual({});
    expect(honoredSubset({ resourceSubscriptions: ["x"] }, {})).toEqual({});
  });

  it("matches notifications to a filter; resources/updated by exact URI", () => {
    const f = { toolsListChanged: true, resourceSubscriptions: ["file:///a"] };
    expect(filterAccepts(f, "notifications/tools/list_changed", undefined)).toBe(true);
    expect(filterAccepts(f, "notifications/prompts/list_changed", undefined)).toBe(false);
    expect(filterAccepts(f, "notifications/resources/updated", { uri: "file:///a" })).toBe(true);
    expect(filterAccepts(f, "notifications/resources/updated", { uri: "file:///a/b" })).toBe(false);
    expect(filterAccepts(f, "notifications/message", {})).toBe(false);
  });

  it("stamps the subscription id without losing other _meta", () => {
    expect(stampSubscription({ jsonrpc: "2.0", method: "notifications/resources/updated", params: { uri: "u", _meta: { k: 1 } } }, "listen:1")).toEqual({ jsonrpc: "2.0", method: "notifications/resources/updated", params: { uri: "u", _meta: { k: 1, "io.modelcontextprotocol/subscriptionId": "listen:1" } } });
  });
});

class FakeRes extends EventEmitter {
  chunks: string[] = [];
  headers?: Record<string, string>;
  writableEnded = false;
  destroyed = false;
  writeHead(_s: number, h: Record<string, string>) {
    this.headers = h;
    return this;
  }
  write(c: string) {
    this.chunks.push(c);
    return true;
  }
  end() {
    this.writableEnded = true;
    this.emit("close");
  }
  destroy() {
    this.destroyed = true;
    this.emit("close");
  }
}

describe("ListenStream", () => {
  const frames = (r: FakeRes) => r.chunks.filter((c) => c.startsWith("event:")).map((c) => JSON.parse(c.slice(c.indexOf("data: ") + 6)) as Record<string, unknown>);

  it("acknowledges, sends keep-alives, and ends gracefully with the empty listen result", async () => {
    const r = new FakeRes();
    const s = new ListenStream(r as unknown as ServerResponse, 5, { toolsListChanged: true }, 10);
    expect(r.headers?.["content-type"]).toBe("text/event-stream");
    expect(frames(r)[0]).toMatchObject({ method: "notifications/subscriptions/acknowledged", params: { notifications: { toolsListChanged: true }, _meta: { "io.modelcontextprotocol/subscriptionId": 5 } } });
    await new Promise((res) => setTimeout(res, 35));
    expect(r.chunks.filter((c) => c === ": keepalive\n\n").length).toBeGreaterThanOrEqual(2);
    s.send({ method: "notifications/tools/list_changed" });
    expect(frames(r).at(-1)).toMatchObject({ method: "notifications/tools/list_changed", params: { _meta: { "io.modelcontextprotocol/subscriptionId": 5 } } });
    s.end(true, { name: "x", version: "1" });
    expect(frames(r).at(-1)).toEqual({ jsonrpc: "2.0", id: 5, result: { resultType: "complete", _meta: { "io.modelcontextprotocol/subscriptionId": 5, "io.modelcontextprotocol/serverInfo": { name: "x", version: "1" } } } });
    expect(r.writableEnded).toBe(true);
    const n = r.chunks.length;
    await new Promise((res) => setTimeout(res, 25));
    expect(r.chunks.length).toBe(n); // keep-alive stopped
    expect(s.open).toBe(false);
  });

  it("an abrupt end sends no result; a client close stops it", () => {
    const r = new FakeRes();
    const s = new ListenStream(r as unknown as ServerResponse, "L", { toolsListChanged: true }, 1000);
    s.end(false);
    expect(r.destroyed).toBe(true);
    expect(frames(r).some((f) => "result" in f)).toBe(false);
    const r2 = new FakeRes();
    const s2 = new ListenStream(r2 as unknown as ServerResponse, "M", { toolsListChanged: true }, 1000);
    r2.emit("close");
    expect(s2.accepts("notifications/tools/list_changed", {})).toBe(false);
  });
});
