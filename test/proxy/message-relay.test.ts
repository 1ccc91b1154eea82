import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { MessageRelay } from "../../src/proxy/message-relay.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { policyOf } from "../helpers/policy.js";
import { tmpStateDir } from "../helpers/temp-dir.js";

function setup(raw: Parameters<typeof policyOf>[0] = {}) {
  const server = policyOf({ trust: "verified", timeout_s: 1, ...raw });
  const audit = new MemoryAudit();
  const toClient: Record<string, unknown>[] = [];
  const toUpstream: string[] = [];
  const relay = new MessageRelay({
    server, audit, pipeline: new Pipeline(defaultLayers(server, { stateDir: tmpStateDir() })),
    endpoints: { toClient: (l) => toClient.push(JSON.parse(l)), toUpstream: (l) => toUpstream.push(l) },
  });
  return { relay, audit, toClient, toUpstream };
}
const line = (o: unknown) => JSON.stringify(o);

afterEach(() => vi.useRealTimers());

describe("MessageRelay", () => {
  it("relays uninspected messages byte-for-byte, both ways", () => {
    const { relay, toClient, toUpstream } = setup();
    const req = '{"jsonrpc":"2.0","id":"a-1","method":"resources/read","params":{"uri":"x://y","_meta":{"progressToken":7}}}';
    relay.fromClient(req);
    expect(toUpstream).toEqual([req]);
    relay.fromUpstream('{"result":{"contents":[]},"jsonrpc":"2.0","id":"a-1"}');
    expect(toClient).toEqual([{ result: { contents: [] }, jsonrpc: "2.0", id: "a-1" }]);
  });

  it("answers malformed JSON and non-JSON-RPC values with errors and audits them", () => {
    const { relay, audit, toClient, toUpstream } = setup();
    relay.fromClient("{nope");
    relay.fromClient("42");
    relay.fromClient('{"jsonrpc":"2.0","id":3}');
    expect(toUpstream).toEqual([]);
    expect(toClient.map((m) => (m.error as { code: number }).code)).toEqual([-32700, -32600, -32600]);
    expect(toClient[2]!.id).toBe(3);
    expect(audit.entries.map((e) => e.event)).toEqual(["malformed_message", "malformed_message", "malformed_message"]);
  });

  it("refuses a request that reuses a pending id", () => {
    const { relay, toClient, toUpstream } = setup();
    relay.fromClient(line({ jsonrpc: "2.0", id: 1, method: "ping" }));
    relay.fromClient(line({ jsonrpc: "2.0", id: 1, method: "ping" }));
    expect(toUpstream).toHaveLength(1);
    expect(toClient[0]).toMatchObject({ id: 1, error: { code: -32600 } });
  });

  it("times out a request, tells the upstream, and drops the late reply", () => {
    vi.useFakeTimers();
    const { relay, toClient, toUpstream, audit } = setup();
    relay.fromClient(line({ jsonrpc: "2.0", id: 9, method: "ping" }));
    vi.advanceTimersByTime(1001);
    expect(toClient[0]).toMatchObject({ id: 9, error: { code: -32008 } });
    expect(JSON.parse(toUpstream[1]!)).toMatchObject({ method: "notifications/cancelled", params: { requestId: 9 } });
    relay.fromUpstream(line({ jsonrpc: "2.0", id: 9, result: {} }));
    expect(toClient).toHaveLength(1);
    expect(audit.entries.map((e) => e.event)).toEqual(["upstream_timeout", "unsolicited_response"]);
  });

  it("withholds an upstream reply over max_response_kb", () => {
    const { relay, toClient } = setup({ max_response_kb: 1 });
    relay.fromClient(line({ jsonrpc: "2.0", id: 1, method: "resources/read", params: { uri: "a" } }));
    relay.fromUpstream(line({ jsonrpc: "2.0", id: 1, result: { contents: [{ text: "x".repeat(2000) }] } }));
    expect(toClient[0]).toMatchObject({ id: 1, error: { code: -32007 } });
  });

  it("fails every pending request when the upstream exits, and later ones too", () => {
    const { relay, toClient } = setup();
    relay.fromClient(line({ jsonrpc: "2.0", id: 1, method: "ping" }));
    relay.upstreamClosed("exited with code 3");
    relay.fromClient(line({ jsonrpc: "2.0", id: 2, method: "ping" }));
    expect(toClient.map((m) => [m.id, (m.error as { code: number }).code])).toEqual([[1, -32009], [2, -32009]]);
  });

  it("fetches the tool catalog itself before judging a call to a tool it has not seen", async () => {
    const { relay, toClient, toUpstream } = setup({ tools: { deny: ["rm_*"] } });
    relay.fromClient(line({ jsonrpc: "2.0", id: "i", method: "initialize", params: { protocolVersion: "2025-11-25" } }));
    relay.fromUpstream(line({ jsonrpc: "2.0", id: "i", result: { protocolVersion: "2025-11-25" } }));
    relay.fromClient(line({ jsonrpc: "2.0", method: "notifications/initialized" }));
    relay.fromClient(line({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "echo", arguments: {} } }));
    const fetch = JSON.parse(toUpstream.at(-1)!);
    expect(fetch).toMatchObject({ method: "tools/list" });
    expect(String(fetch.id)).toMatch(/^portcullis-/);
    relay.fromUpstream(line({ jsonrpc: "2.0", id: fetch.id, result: { tools: [{ name: "echo", annotations: { readOnlyHint: true } }] } }));
    await new Promise((r) => setImmediate(r));
    expect(JSON.parse(toUpstream.at(-1)!)).toMatchObject({ id: 5, method: "tools/call" });
    expect(toClient.filter((m) => m.id === fetch.id)).toEqual([]); // our own request never reaches the client
  });

  it("after tools/list_changed, re-lists before judging a call to a known tool, and fails closed if it cannot", async () => {
    const { relay, toClient, toUpstream } = setup({ tools: { deny: ["rm_*"] } });
    relay.fromClient(line({ jsonrpc: "2.0", id: "i", method: "initialize", params: { protocolVersion: "2025-11-25" } }));
    relay.fromUpstream(line({ jsonrpc: "2.0", id: "i", result: { protocolVersion: "2025-11-25" } }));
    relay.fromClient(line({ jsonrpc: "2.0", method: "notifications/initialized" }));
    relay.fromClient(line({ jsonrpc: "2.0", id: 1, method: "tools/list" }));
    relay.fromUpstream(line({ jsonrpc: "2.0", id: 1, result: { tools: [{ name: "echo" }] } }));
    relay.fromUpstream(line({ jsonrpc: "2.0", method: "notifications/tools/list_changed" }));
    relay.fromClient(line({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "echo", arguments: {} } }));
    const refetch = JSON.parse(toUpstream.at(-1)!);
    expect(refetch).toMatchObject({ method: "tools/list" });
    relay.fromUpstream(line({ jsonrpc: "2.0", id: refetch.id, error: { code: -32603, message: "busy" } }));
    await vi.waitFor(() => expect(toClient.some((m) => m.id === 2)).toBe(true));
    expect(toClient.find((m) => m.id === 2)).toMatchObject({ id: 2, result: { isError: true, _meta: { portcullis: { code: "LAYER_FAILED", rule: "catalog-refresh" } } } });
    // a later call re-lists again; this time it works and the call goes through
    relay.fromClient(line({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "echo", arguments: {} } }));
    const again = JSON.parse(toUpstream.at(-1)!);
    relay.fromUpstream(line({ jsonrpc: "2.0", id: again.id, result: { tools: [{ name: "echo" }] } }));
    await vi.waitFor(() => expect(JSON.parse(toUpstream.at(-1)!)).toMatchObject({ id: 3, method: "tools/call" }));
  });

  it("denies a tools/call with an isError result carrying _meta.portcullis, and resultType in the modern era", () => {
    const { relay, toClient } = setup({ tools: { deny: ["*"] } });
    const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };
    relay.fromClient(line({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: meta } }));
    relay.fromUpstream(line({ jsonrpc: "2.0", id: 1, result: { tools: [{ name: "x" }], resultType: "complete" } }));
    relay.fromClient(line({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "x", _meta: meta } }));
    expect(toClient[0]).toMatchObject({ id: 1, result: { tools: [] } });
    expect(toClient[1]).toMatchObject({ id: 2, result: { isError: true, resultType: "complete", _meta: { portcullis: { layer: "tool-policy", rule: "deny-list", code: "TOOL_DENIED", auditId: expect.any(String) } } } });
  });

  it("refuses tool calls while the audit log is unwritable (fail closed)", () => {
    const { relay, audit, toClient, toUpstream } = setup();
    audit.healthy = false;
    relay.fromClient(line({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "x" } }));
    expect(toUpstream).toEqual([]);
    expect(toClient[0]).toMatchObject({ id: 1, error: { code: -32017 } });
  });
});
