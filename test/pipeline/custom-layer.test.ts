import { describe, expect, it } from "vitest";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { ALLOW, deny, modify } from "../../src/pipeline/decision.js";
import type { Layer } from "../../src/pipeline/layer.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { MessageRelay } from "../../src/proxy/message-relay.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { policyOf } from "../helpers/policy.js";
import { tmpStateDir } from "../helpers/temp-dir.js";

// "Later issues add layers to this same pipeline without touching the proxy": this test does exactly
// that from outside src/, with two small layers, and runs them through the real relay.
const noWeekendDeletes: Layer = {
  name: "no-weekend-deletes",
  requestMethods: ["tools/call"],
  onRequest: (req) => (String(req.params?.name).startsWith("delete") ? deny("TOOL_DENIED", "weekend", "No deletes today.") : ALLOW),
};
const shout: Layer = {
  name: "shout",
  responseMethods: ["tools/call"],
  onResponse: (res) => {
    const content = (res.result?.content as { type: string; text: string }[]) ?? [];
    return modify({ ...res, result: { ...res.result, content: content.map((c) => ({ ...c, text: c.text.toUpperCase() })) } }, "upper", "shouted", "response_changed");
  },
};

describe("adding a layer", () => {
  it("takes effect through the unchanged relay, with audit lines for its decisions", () => {
    const server = policyOf({ trust: "verified" });
    const audit = new MemoryAudit();
    const out: Record<string, unknown>[] = [];
    const up: string[] = [];
    const relay = new MessageRelay({
      server, audit, pipeline: new Pipeline([...defaultLayers(server, { stateDir: tmpStateDir() }), noWeekendDeletes, shout]),
      endpoints: { toClient: (l) => out.push(JSON.parse(l)), toUpstream: (l) => up.push(l) },
    });
    relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }));
    relay.fromUpstream(JSON.stringify({ jsonrpc: "2.0", id: 1, result: { tools: [{ name: "delete_all" }, { name: "say" }] } }));
    relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "delete_all" } }));
    relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "say" } }));
    relay.fromUpstream(JSON.stringify({ jsonrpc: "2.0", id: 3, result: { content: [{ type: "text", text: "hi" }] } }));
    expect(out[1]).toMatchObject({ id: 2, result: { isError: true, _meta: { portcullis: { layer: "no-weekend-deletes", rule: "weekend" } } } });
    expect(out[2]).toMatchObject({ id: 3, result: { content: [{ text: "HI" }] } });
    expect(up.map((l) => JSON.parse(l).id)).toEqual([1, 3]);
    const ours = audit.entries.filter((e) => e.layer === "no-weekend-deletes" || e.layer === "shout" || e.event === "tool_call");
    expect(ours.map((e) => [e.event, e.layer])).toEqual([["access_denied", "no-weekend-deletes"], ["response_changed", "shout"], ["tool_call", undefined]]);
  });
});
