import type { AuditLog } from "../../src/audit/audit-record.js";
import type { RawServer } from "../../src/config/schema.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { MessageRelay } from "../../src/proxy/message-relay.js";
import type { Store } from "../../src/store/store.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { policyOf } from "../helpers/policy.js";
import { tmpStateDir } from "../helpers/temp-dir.js";

/** The tools the in-process fake upstream offers (same as test/fixtures/servers/recording-server.mjs). */
export const FAKE_TOOLS = [
  { name: "echo", inputSchema: { type: "object" }, annotations: { readOnlyHint: true } },
  { name: "delete_all", inputSchema: { type: "object" }, annotations: { destructiveHint: true } },
  { name: "secret_admin", inputSchema: { type: "object" } },
  { name: "get_user", inputSchema: { type: "object" }, annotations: { readOnlyHint: true } },
];

/** Policy used by the fuzz/fault harness: echo and get_user allowed; secret_admin denied by name; delete_all refused by trust. */
export const HARNESS_POLICY: RawServer = {
  trust: "low", timeout_s: 5, max_request_kb: 64,
  tools: { deny: ["secret_*"], policies: { echo: { arguments: { message: { max_length: 200 } } } } },
  methods: { deny: ["resources/*"] },
};

export interface Harness {
  relay: MessageRelay;
  audit: AuditLog;
  /** Every line the relay sent upstream, raw. */
  upstream: string[];
  /** Every line the relay sent to the client, parsed. */
  client: Record<string, unknown>[];
  /** Waits until the fake upstream's queued replies (and any async layer work) have settled. */
  settle(): Promise<void>;
}

/**
 * A MessageRelay with the default layers and a fake upstream that answers every request it gets
 * (asynchronously, like a real process): tools/list, tools/call (echo), ping, else -32601.
 */
export function relayHarness(opts: { raw?: RawServer; audit?: AuditLog; store?: Store; upstreamSilent?: boolean; stateDir?: string } = {}): Harness {
  const server = policyOf({ ...HARNESS_POLICY, ...opts.raw });
  const audit = opts.audit ?? new MemoryAudit();
  const upstream: string[] = [];
  const client: Record<string, unknown>[] = [];
  let inflight = 0;
  // eslint-disable-next-line prefer-const
  let relay: MessageRelay;
  const answer = (line: string) => {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (opts.upstreamSilent || typeof m.method !== "string" || !("id" in m)) return;
    const params = (m.params ?? {}) as Record<string, unknown>;
    let reply: Record<string, unknown>;
    if (m.method === "tools/list") reply = { result: { tools: FAKE_TOOLS } };
    else if (m.method === "ping") reply = { result: {} };
    else if (m.method === "tools/call") reply = { result: { content: [{ type: "text", text: `ran ${String(params.name)}` }] } };
    else reply = { error: { code: -32601, message: "Method not found" } };
    inflight++;
    setImmediate(() => {
      inflight--;
      relay.fromUpstream(JSON.stringify({ jsonrpc: "2.0", id: m.id, ...reply }));
    });
  };
  relay = new MessageRelay({
    server, audit, pipeline: new Pipeline(defaultLayers(server, { stateDir: opts.stateDir ?? tmpStateDir(), store: opts.store })),
    endpoints: {
      toClient: (l) => client.push(JSON.parse(l) as Record<string, unknown>),
      toUpstream: (l) => {
        upstream.push(l);
        answer(l);
      },
    },
  });
  const settle = async () => {
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setImmediate(r));
      if (inflight === 0 && relay.pendingCount === 0) {
        await new Promise((r) => setImmediate(r));
        if (inflight === 0 && relay.pendingCount === 0) return;
      }
    }
  };
  return { relay, audit, upstream, client, settle };
}

export const initLegacy = async (h: Harness) => {
  h.relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: "init", method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "fuzz", version: "1" } } }));
  h.relay.fromClient(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
  await h.settle();
  h.client.length = 0;
};

/** Replies (messages without `method`) the client got for `id`. */
export const repliesFor = (h: Harness, id: unknown) => h.client.filter((m) => !("method" in m) && m.id === id);
