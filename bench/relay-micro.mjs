// In-process cost of the relay per tools/call round trip (no processes, no pipes): the CPU floor of
// `wrap` with the demo policy's `everything` entry. Usage: node bench/relay-micro.mjs [noaudit] [store]
// `store` adds the rate-limit layer on the process-local store, as `wrap` runs it.
import os from "node:os";
import { MessageRelay } from "../dist/proxy/message-relay.js";
import { Pipeline } from "../dist/pipeline/pipeline.js";
import { defaultLayers } from "../dist/layers/default-layers.js";
import { JsonlAuditLog } from "../dist/audit/jsonl-audit-log.js";
import { loadConfigFile } from "../dist/config/load-config.js";
import { resolveConfig } from "../dist/config/resolve-config.js";
import { openStore } from "../dist/store/open-store.js";

const noaudit = process.argv.includes("noaudit");
const withStore = process.argv.includes("store");
const cfg = resolveConfig(loadConfigFile("examples/demo/portcullis.yaml"), { stateDir: `${os.tmpdir()}/portcullis-relay-micro` });
const server = cfg.servers.get("everything");
const audit = new JsonlAuditLog(noaudit ? "/dev/null" : `${os.tmpdir()}/portcullis-relay-micro.jsonl`);
if (noaudit) server.audit.allCalls = false;
const store = withStore ? await openStore("memory:", cfg.baseDir) : undefined;
let replies = 0;
const relay = new MessageRelay({
  server, audit, pipeline: new Pipeline(defaultLayers(server, { stateDir: cfg.stateDir, store })),
  endpoints: { toClient: () => replies++, toUpstream: () => {} },
});
relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: "i", method: "initialize", params: { protocolVersion: "2025-11-25" } }));
relay.fromUpstream(JSON.stringify({ jsonrpc: "2.0", id: "i", result: {} }));
relay.fromClient(JSON.stringify({ jsonrpc: "2.0", id: "l", method: "tools/list" }));
relay.fromUpstream(JSON.stringify({ jsonrpc: "2.0", id: "l", result: { tools: [{ name: "echo", annotations: { readOnlyHint: true } }] } }));
await new Promise((r) => setImmediate(r));
const N = 50_000;
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  relay.fromClient(`{"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello portcullis"},"_meta":{"progressToken":${i}}},"jsonrpc":"2.0","id":${i}}`);
  if (withStore) await new Promise((r) => setImmediate(r)); // let the async rate-limit decision land
  relay.fromUpstream(`{"result":{"content":[{"type":"text","text":"Echo: hello portcullis"}]},"jsonrpc":"2.0","id":${i}}`);
  if (i % 100 === 0) audit.flush();
}
const us = ((performance.now() - t0) * 1000) / N;
console.log(JSON.stringify({ bench: "relay_micro", audit: !noaudit, rate_limit: withStore, us_per_call: Number(us.toFixed(2)), replies }));
await store?.close();
