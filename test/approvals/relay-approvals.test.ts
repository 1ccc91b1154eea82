import { afterEach, describe, expect, it } from "vitest";
import { ApprovalBroker } from "../../src/approvals/approval-broker.js";
import { ApprovalStore } from "../../src/approvals/approval-store.js";
import type { ApprovalsSettings } from "../../src/approvals/approvals-config.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { MessageRelay } from "../../src/proxy/message-relay.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { policyOf } from "../helpers/policy.js";
import { tmpStateDir } from "../helpers/temp-dir.js";

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

const MODERN_META = (caps: Record<string, unknown>) => ({ "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "t", version: "1" }, "io.modelcontextprotocol/clientCapabilities": caps });

/** A relay with a scripted upstream (lists delete_file, answers every call) and a broker. */
function setup(settings: Partial<ApprovalsSettings> = {}, opts: { store?: SqliteStore; policy?: Parameters<typeof policyOf>[0] } = {}) {
  const store = opts.store ?? new SqliteStore(":memory:");
  if (!opts.store) stores.push(store);
  const server = policyOf({ trust: "low", ...opts.policy }, "files");
  const audit = new MemoryAudit();
  const approvals = new ApprovalStore(store);
  const broker = new ApprovalBroker({ store: approvals, audit, secret: Buffer.alloc(32, 1), settings });
  const toClient: Record<string, unknown>[] = [];
  const upstreamCalls: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  const relay: MessageRelay = new MessageRelay({
    server, audit, approvals: broker, pipeline: new Pipeline(defaultLayers(server, { stateDir: tmpStateDir() })),
    endpoints: {
      toClient: (l) => {
        toClient.push(JSON.parse(l));
        waiters.splice(0).forEach((w) => w());
      },
      toUpstream: (l) => {
        const m = JSON.parse(l) as { id?: string | number; method?: string; params?: Record<string, unknown> };
        if (m.id === undefined) return;
        let result: unknown = {};
        if (m.method === "tools/list") result = { tools: [{ name: "delete_file", inputSchema: { type: "object" } }, { name: "read_file", annotations: { readOnlyHint: true }, inputSchema: { type: "object" } }] };
        if (m.method === "tools/call") {
          upstreamCalls.push(m.params!);
          result = { content: [{ type: "text", text: "deleted" }] };
        }
        queueMicrotask(() => relay.fromUpstream(JSON.stringify({ jsonrpc: "2.0", id: m.id, result })));
      },
    },
  });
  const reply = async (id: unknown, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = toClient.find((m) => m.id === id && !("method" in m));
      if (r) return r;
      if (Date.now() > deadline) throw new Error(`no reply to ${String(id)}`);
      await new Promise<void>((res) => {
        waiters.push(res);
        setTimeout(res, 50);
      });
    }
  };
  const legacy = (caps: Record<string, unknown> = {}) => {
    relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: "init", method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: caps, clientInfo: { name: "t", version: "1" } } }));
    relay.fromClient(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
  };
  const call = (id: number, args: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "delete_file", arguments: args, ...extra } }));
  return { relay, broker, approvals, audit, toClient, upstreamCalls, reply, legacy, call, store, server };
}

/** The ids of pending requests, once the held call has created one (up to 1 s). */
async function pendingIds(approvals: ApprovalStore): Promise<string[]> {
  let pending: string[] = [];
  for (let i = 0; i < 50 && pending.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
    pending = (await approvals.list()).map((r) => r.id);
  }
  return pending;
}

const text = (r: Record<string, unknown>) => ((r.result as { content: { text: string }[] }).content[0]!.text);
const idIn = (s: string) => /ap_[0-9a-f]{20}/.exec(s)?.[0];

describe("relay + approval broker", () => {
  it("without a channel, by default: the call waits up to the timeout and runs the moment someone approves it", async () => {
    const t = setup({ timeoutMs: 5000 });
    t.legacy();
    t.call(1, { path: "/w" });
    const pending = await pendingIds(t.approvals);
    expect(pending).toHaveLength(1);
    expect(t.toClient.find((m) => m.id === 1)).toBeUndefined(); // still waiting, not refused
    await new ApprovalStore(t.store).decide(pending[0]!, { approve: true, by: "cli:carol" });
    expect(text(await t.reply(1))).toBe("deleted");
  });

  it("without a channel, unanswered: denied after the wait, naming the approval id and how long it waited", async () => {
    const t = setup({ timeoutMs: 300 });
    t.legacy();
    t.call(1, { path: "/u" });
    const r = text(await t.reply(1));
    expect(r).toMatch(/needs approval \(id ap_[0-9a-f]{20}\).*nobody approved it within 300 ms/);
    expect(t.upstreamCalls).toHaveLength(0);
  });

  it("no_channel_wait 0: refuses at once, naming the approval id; approve, then the identical retry runs once", async () => {
    const t = setup({ noChannelWaitMs: 0 });
    t.legacy();
    t.call(1, { path: "/a" });
    const r1 = await t.reply(1);
    expect(r1.result).toMatchObject({ isError: true, _meta: { portcullis: { code: "APPROVAL_REQUIRED", layer: "server-trust" } } });
    expect(text(r1)).toMatch(/^Portcullis blocked `delete_file`: needs approval \(id ap_[0-9a-f]{20}\)/);
    const id = idIn(text(r1))!;
    expect(t.upstreamCalls).toHaveLength(0);
    expect(t.audit.entries.map((e) => e.event)).toContain("approval_requested");

    await t.approvals.decide(id, { approve: true, by: "cli:alice" });
    t.call(2, { path: "/b" }); // changed argument: a new request
    expect(text(await t.reply(2))).toMatch(/needs approval/);
    t.call(3, { path: "/a" });
    expect(text(await t.reply(3))).toBe("deleted");
    expect(t.upstreamCalls).toEqual([{ name: "delete_file", arguments: { path: "/a" } }]);
    expect(t.audit.entries.find((e) => e.event === "approval_used")).toMatchObject({ details: { approvalId: id, decidedBy: "cli:alice" } });
    t.call(4, { path: "/a" }); // replay
    expect(text(await t.reply(4))).toMatch(/needs approval/);
  });

  it("a grant from one session does not serve another session on the same store", async () => {
    const a = setup({ noChannelWaitMs: 0 });
    const b = setup({ noChannelWaitMs: 0 }, { store: a.store });
    a.legacy();
    b.legacy();
    a.call(1, { p: 1 });
    const id = idIn(text(await a.reply(1)))!;
    await a.approvals.decide(id, { approve: true, by: "t" });
    b.call(1, { p: 1 });
    expect(text(await b.reply(1))).toMatch(/needs approval/);
    a.call(2, { p: 1 });
    expect(text(await a.reply(2))).toBe("deleted");
  });

  it("cli channel: the held call waits and proceeds when someone approves it", async () => {
    const t = setup({ channels: ["cli"], timeoutMs: 5000 });
    t.legacy();
    t.call(1, { path: "/x" });
    const pending = await pendingIds(t.approvals);
    expect(pending).toHaveLength(1);
    const other = new ApprovalStore(t.store); // another process: resolved by polling
    await other.decide(pending[0]!, { approve: true, by: "cli:bob" });
    expect(text(await t.reply(1))).toBe("deleted");
  });

  it("webhook channel: a Slack-compatible notice with the id and page link reaches the receiver; its approval lets the call run", async () => {
    const http = await import("node:http");
    const received: Record<string, unknown>[] = [];
    const seen: Record<string, string | undefined>[] = [];
    let t!: ReturnType<typeof setup>;
    const receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        received.push(JSON.parse(body) as Record<string, unknown>);
        seen.push({ auth: req.headers.authorization });
        res.writeHead(200).end("ok");
        // The person follows the link and approves (through the store, as the page does).
        const id = (received.at(-1)!.approval as { id: string }).id;
        void t.approvals.decide(id, { approve: true, by: "web:carol" });
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (receiver.address() as { port: number }).port;
      t = setup({ channels: ["webhook"], timeoutMs: 5000, webhook: { url: `http://127.0.0.1:${port}/hook`, headers: { authorization: "Bearer hook-secret" } }, publicUrl: "https://gw.example.com" });
      t.legacy();
      t.call(1, { path: "/tmp/x" });
      expect(text(await t.reply(1))).toBe("deleted");
      expect(received).toHaveLength(1);
      expect(received[0]!.text).toMatch(/`delete_file` on server "files" needs approval \(ap_/);
      expect(received[0]!.text).toMatch(/https:\/\/gw\.example\.com/);
      expect(received[0]!.approval).toMatchObject({ tool: "delete_file", server: "files" });
      expect(seen[0]!.auth).toBe("Bearer hook-secret");
      expect(t.audit.entries.find((e) => e.event === "approval_used")).toMatchObject({ details: { decidedBy: "web:carol" } });
    } finally {
      receiver.close();
    }
  });

  it("cli channel: a denial is final and says who denied", async () => {
    const t = setup({ channels: ["cli"], timeoutMs: 5000 });
    t.legacy();
    t.call(1, { path: "/x" });
    let rec;
    for (let i = 0; i < 50 && !rec; i++) {
      await new Promise((r) => setTimeout(r, 20));
      rec = (await t.approvals.list())[0];
    }
    await new ApprovalStore(t.store).decide(rec!.id, { approve: false, by: "cli:bob", reason: "not today" });
    const r = await t.reply(1);
    expect(text(r)).toMatch(/was denied by cli:bob \(not today\)/);
    expect(t.upstreamCalls).toHaveLength(0);
  });

  it("unanswered: denied after the timeout", async () => {
    const t = setup({ channels: ["cli"], timeoutMs: 200 });
    t.legacy();
    const t0 = Date.now();
    t.call(1, {});
    expect(text(await t.reply(1))).toMatch(/nobody answered within/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it("legacy elicitation: asks the client with elicitation/create and routes its answer to the broker", async () => {
    for (const [answer, ok] of [[{ action: "accept", content: { approve: true } }, true], [{ action: "decline" }, false], [{ action: "accept", content: { approve: false } }, false]] as const) {
      const t = setup();
      t.legacy({ elicitation: {} });
      t.call(1, { path: "/e" });
      let ask: Record<string, unknown> | undefined;
      for (let i = 0; i < 100 && !ask; i++) {
        await new Promise((r) => setTimeout(r, 10));
        ask = t.toClient.find((m) => m.method === "elicitation/create");
      }
      expect(ask).toBeDefined();
      expect((ask!.params as { message: string }).message).toContain("delete_file");
      expect((ask!.params as { message: string }).message).toContain('"/e"');
      t.relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: ask!.id, result: answer }));
      const r = await t.reply(1);
      if (ok) expect(text(r)).toBe("deleted");
      else expect(text(r)).toMatch(/was denied by elicitation:client/);
      expect(t.upstreamCalls.length).toBe(ok ? 1 : 0);
      expect(t.audit.entries.some((e) => e.event === (ok ? "approval_granted" : "approval_denied") && (e.details as { decidedBy?: string } | undefined)?.decidedBy === "elicitation:client")).toBe(true);
    }
  });

  it("modern era: input_required with a signed requestState; the retry with inputResponses runs the original call", async () => {
    const t = setup();
    const meta = MODERN_META({ elicitation: {} });
    t.call(1, { path: "/m" }, { _meta: meta });
    const r1 = await t.reply(1);
    const res = r1.result as { resultType: string; inputRequests: Record<string, { method: string; params: { message: string } }>; requestState: string };
    expect(res.resultType).toBe("input_required");
    expect(res.inputRequests.approval!.method).toBe("elicitation/create");
    expect(res.inputRequests.approval!.params.message).toContain("delete_file");
    // forged state: asked again, nothing runs
    t.call(2, { path: "/m" }, { _meta: meta, inputResponses: { approval: { action: "accept", content: { approve: true } } }, requestState: res.requestState.replace(/.$/, (c) => (c === "A" ? "B" : "A")) });
    expect(((await t.reply(2)).result as { resultType: string }).resultType).toBe("input_required");
    // state for other arguments: refused the same way
    t.call(3, { path: "/other" }, { _meta: meta, inputResponses: { approval: { action: "accept", content: { approve: true } } }, requestState: res.requestState });
    expect(((await t.reply(3)).result as { resultType: string }).resultType).toBe("input_required");
    expect(t.upstreamCalls).toHaveLength(0);
    // the genuine retry
    t.call(4, { path: "/m" }, { _meta: meta, inputResponses: { approval: { action: "accept", content: { approve: true } } }, requestState: res.requestState });
    const r4 = await t.reply(4);
    expect(text(r4)).toBe("deleted");
    expect(t.upstreamCalls).toEqual([{ name: "delete_file", arguments: { path: "/m" }, _meta: meta }]);
  });

  it("modern era without the elicitation capability: refused naming the id", async () => {
    const t = setup({ noChannelWaitMs: 0 });
    t.call(1, { path: "/m" }, { _meta: MODERN_META({}) });
    const r = await t.reply(1);
    expect(r.result).toMatchObject({ isError: true, resultType: "complete", _meta: { portcullis: { code: "APPROVAL_REQUIRED" } } });
  });

  it("read-only tools are not held; a duplicate id of a held call is refused; cancellation stops the wait", async () => {
    const t = setup({ channels: ["cli"], timeoutMs: 5000 });
    t.legacy();
    t.relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "read_file", arguments: {} } }));
    expect(text(await t.reply(1))).toBe("deleted");
    t.call(2, {});
    await new Promise((r) => setTimeout(r, 50));
    t.call(2, {});
    expect(await t.reply(2)).toMatchObject({ error: { code: -32600 } });
    t.relay.fromClient(JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 2 } }));
    await new Promise((r) => setTimeout(r, 100));
    expect(t.toClient.filter((m) => m.id === 2)).toHaveLength(1);
  });
});
