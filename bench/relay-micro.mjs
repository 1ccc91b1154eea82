// In-process cost of the relay per tools/call round trip (no processes, no pipes): the CPU floor of
// `wrap`. Usage: node bench/relay-micro.mjs [noaudit]
import { MessageRelay } from "../dist/proxy/message-relay.js";
import { Pipeline } from "../dist/pipeline/pipeline.js";
import { defaultLayers } from "../dist/layers/default-layers.js";
import { JsonlAuditLog } from "../dist/audit/jsonl-audit-log.js";
import { loadConfigFile } from "../dist/config/load-config.js";
import { resolveConfig } from "../dist/config/resolve-config.js";
const cfg = resolveConfig(loadConfigFile("examples/demo/portcullis.yaml"));
const server = cfg.servers.get("everything");
const audit = new JsonlAuditLog(process.argv[2] === "noaudit" ? "/dev/null" : `${(await import("node:os")).tmpdir()}/portcullis-relay-micro.jsonl`);
if (process.argv[2] === "noaudit") server.audit.allCalls = false;
let out = 0;
const relay = new MessageRelay({ server, audit, pipeline: new Pipeline(defaultLayers(server, { stateDir: cfg.stateDir })), endpoints: { toClient: (l) => (out += l.length), toUpstream: (l) => (out += l.length) } });
relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: "i", method: "initialize", params: { protocolVersion: "2025-11-25" } }));
relay.fromUpstream(JSON.stringify({ jsonrpc: "2.0", id: "i", result: {} }));
relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: "l", method: "tools/list" }));
relay.fromUpstream(JSON.stringify({ jsonrpc: "2.0", id: "l", result: { tools: [{ name: "echo", annotations: { readOnlyHint: true } }] } }));
const N = 100000;
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  relay.fromClient(`{"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello portcullis"},"_meta":{"progressToken":${i}}},"jsonrpc":"2.0","id":${i}}`);
  relay.fromUpstream(`{"result":{"content":[{"type":"text","text":"Echo: hello portcullis"}]},"jsonrpc":"2.0","id":${i}}`);
  if (i % 100 === 0) audit.flush();
}
const us = (performance.now() - t0) * 1000 / N;
console.log(process.argv[2] ?? "audit", us.toFixed(2), "µs per call round trip");
