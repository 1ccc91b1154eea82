import path from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { startGateway, type Gateway, type GatewayRoute } from "../../src/transport/http/gateway.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { ROOT } from "../helpers/wrap-harness.js";

// The real v2 SDK client pinned to 2026-07-28 -> `serve`'s aggregated /mcp -> two instances of the
// notifying fixture ("alpha" owns alpha://a and alpha://b, "beta" beta://a and beta://b).
const FIXTURE = path.join(ROOT, "test/fixtures/servers/notifying-server.mjs");
const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, "io.modelcontextprotocol/clientCapabilities": {} };
const textOf = (r: unknown) => ((r as { content: { text: string }[] }).content[0]!.text);

function gatewayFor(env: Record<string, Record<string, string>> = {}) {
  const audit = new MemoryAudit();
  const stateDir = tmpStateDir();
  const routes = new Map<string, GatewayRoute>();
  for (const name of ["alpha", "beta"]) {
    const server = resolveServerPolicy(name, { command: [process.execPath, FIXTURE], env: { URI_PREFIX: `${name}://`, ...env[name] }, trust: "high", timeout_s: 5, injection: { scan: ["tool_results"] } }, undefined, process.cwd());
    routes.set(name, { server, pipeline: new Pipeline(defaultLayers(server, { stateDir })) });
  }
  return { audit, start: () => startGateway({ routes, audit, host: "127.0.0.1", port: 0, log: () => {} }) };
}

async function v2Client(url: string): Promise<Client> {
  const c = new Client({ name: "aggregate-listen", version: "1" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await c.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  expect(c.getNegotiatedProtocolVersion()).toBe("2026-07-28");
  return c;
}

const listenPost = (url: string, body: unknown) =>
  fetch(`${url}/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "subscriptions/listen" }, body: JSON.stringify(body) });

describe("serve (2026-07-28): subscriptions/listen on the aggregated /mcp", () => {
  let gw: Gateway;
  const g = gatewayFor();
  beforeAll(async () => {
    gw = await g.start();
  });
  afterAll(async () => gw?.close());

  it("merges every server's listen into one stream: one ack (the union), list_changed per change, resources/updated routed to the owner", async () => {
    const c = await v2Client(gw.url);
    try {
      const seen: string[] = [];
      c.setNotificationHandler("notifications/tools/list_changed", () => void seen.push("tools"));
      c.setNotificationHandler("notifications/prompts/list_changed", () => void seen.push("prompts"));
      c.setNotificationHandler("notifications/resources/updated", (n) => void seen.push(`updated ${n.params.uri}`));
      const sub = await c.listen({ toolsListChanged: true, resourceSubscriptions: ["alpha://a", "beta://b", "nowhere://x"] });
      // nowhere://x has no owner: refused (audited) and not honored.
      expect(sub.honoredFilter).toEqual({ toolsListChanged: true, resourceSubscriptions: ["alpha://a", "beta://b"] });
      expect(g.audit.entries.some((e) => e.layer === "aggregate" && e.rule === "unknown-resource" && e.method === "resources/subscribe")).toBe(true);
      // Each URI was subscribed upstream at its own server only.
      expect(textOf(await c.callTool({ name: "alpha__subscriptions", arguments: {} }))).toBe('["alpha://a"]');
      expect(textOf(await c.callTool({ name: "beta__subscriptions", arguments: {} }))).toBe('["beta://b"]');
      await c.callTool({ name: "alpha__touch_lists", arguments: {} });
      await c.callTool({ name: "beta__touch_lists", arguments: {} });
      expect(textOf(await c.callTool({ name: "alpha__update_resource", arguments: { uri: "alpha://a" } }))).toBe("notified");
      expect(textOf(await c.callTool({ name: "beta__update_resource", arguments: { uri: "beta://b" } }))).toBe("notified");
      expect(textOf(await c.callTool({ name: "beta__update_resource", arguments: { uri: "beta://a" } }))).toBe("not subscribed");
      await expect.poll(() => seen.filter((s) => s.startsWith("updated")).length, { timeout: 3000 }).toBe(2);
      await expect.poll(() => seen.filter((s) => s === "tools").length, { timeout: 3000 }).toBe(2); // one per server's change
      expect(seen).not.toContain("prompts");
      expect(seen).toContain("updated alpha://a");
      expect(seen).toContain("updated beta://b");
      await sub.close();
      expect(await sub.closed).toBe("local");
      // Closing the merged stream released every server's subscription.
      await expect.poll(async () => textOf(await c.callTool({ name: "alpha__subscriptions", arguments: {} })), { timeout: 3000 }).toBe("[]");
      await expect.poll(async () => textOf(await c.callTool({ name: "beta__subscriptions", arguments: {} })), { timeout: 3000 }).toBe("[]");
    } finally {
      await c.close();
    }
  });

  it("on the wire: every frame stamped with the listen id, -32602 without a filter, an empty honored filter acked then ended", async () => {
    const bad = await listenPost(gw.url, { jsonrpc: "2.0", id: 7, method: "subscriptions/listen", params: { _meta: META } });
    expect(await bad.json()).toMatchObject({ id: 7, error: { code: -32602 } });
    const empty = await listenPost(gw.url, { jsonrpc: "2.0", id: "E", method: "subscriptions/listen", params: { notifications: { toolsListChanged: false }, _meta: META } });
    expect(empty.headers.get("content-type")).toMatch(/text\/event-stream/);
    const frames = (await empty.text()).split("\n\n").filter((f) => f.startsWith("event: message")).map((f) => JSON.parse(f.split("data: ")[1]!));
    expect(frames[0]).toMatchObject({ method: "notifications/subscriptions/acknowledged", params: { notifications: {}, _meta: { "io.modelcontextprotocol/subscriptionId": "E" } } });
    expect(frames[1]).toMatchObject({ id: "E", result: { resultType: "complete", _meta: { "io.modelcontextprotocol/subscriptionId": "E", "io.modelcontextprotocol/serverInfo": { name: "portcullis" } } } });

    // A raw listen: the ack, then a notification stamped with the listen id; notifications/cancelled ends it.
    const r = await listenPost(gw.url, { jsonrpc: "2.0", id: "raw-1", method: "subscriptions/listen", params: { notifications: { promptsListChanged: true }, _meta: META } });
    const reader = r.body!.getReader();
    let text = "";
    const readUntil = async (pred: (t: string) => boolean) => {
      while (!pred(text)) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    };
    await readUntil((t) => t.includes("acknowledged"));
    expect(text).toContain('"notifications":{"promptsListChanged":true}');
    const touch = await fetch(`${gw.url}/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "beta__touch_lists" }, body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "beta__touch_lists", arguments: {}, _meta: META } }) });
    expect(touch.status).toBe(200);
    await readUntil((t) => t.includes("notifications/prompts/list_changed"));
    const note = text.split("\n\n").map((f) => f.split("data: ")[1]).filter((d): d is string => d !== undefined).map((d) => JSON.parse(d)).find((m) => m.method === "notifications/prompts/list_changed");
    expect(note.params._meta["io.modelcontextprotocol/subscriptionId"]).toBe("raw-1");
    const cancelled = await fetch(`${gw.url}/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json", "mcp-protocol-version": "2026-07-28", "mcp-method": "notifications/cancelled" }, body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "raw-1", _meta: META } }) });
    expect(cancelled.status).toBe(202);
    // The subscription is over: the stream is closed (abruptly, as on /mcp/<server>).
    await expect(readUntil(() => false)).rejects.toThrow(/terminated/);
  });

  it("an upstream crash ends the merged stream (the client re-listens; the server in backoff is left out, audited)", async () => {
    const local = gatewayFor();
    const gw2 = await local.start();
    const c = await v2Client(gw2.url);
    try {
      const sub = await c.listen({ toolsListChanged: true });
      await c.callTool({ name: "alpha__crash", arguments: {} });
      expect(await sub.closed).toBe("remote");
      const again = await c.listen({ toolsListChanged: true, resourceSubscriptions: ["beta://a"] });
      expect(again.honoredFilter).toEqual({ toolsListChanged: true, resourceSubscriptions: ["beta://a"] });
      expect(local.audit.entries.some((e) => e.layer === "aggregate" && e.rule === "server-omitted" && e.server === "alpha" && e.method === "subscriptions/listen")).toBe(true);
      await again.close();
    } finally {
      await c.close();
      await gw2.close();
    }
  });

  it("ends merged listens gracefully when the gateway shuts down", async () => {
    const local = gatewayFor();
    const gw2 = await local.start();
    const c = await v2Client(gw2.url);
    const sub = await c.listen({ toolsListChanged: true });
    await gw2.close();
    expect(await sub.closed).toBe("graceful");
    await c.close().catch(() => {});
  });
});
