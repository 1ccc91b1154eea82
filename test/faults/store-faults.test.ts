import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveServerPolicy } from "../../src/config/resolve-server-policy.js";
import { defaultLayers } from "../../src/layers/default-layers.js";
import { Pipeline } from "../../src/pipeline/pipeline.js";
import { openStore } from "../../src/store/open-store.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { startGateway } from "../../src/transport/http/gateway.js";
import { MemoryAudit } from "../helpers/memory-audit.js";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { EVERYTHING, prepare, RawSession, wrapArgs } from "../helpers/wrap-harness.js";
import { RedisServer } from "../store/redis-server.js";
import { initLegacy, relayHarness, repliesFor } from "../fuzz/relay-harness.js";
import { call, RECORDING, refusedCode, sleep } from "./fault-helpers.js";

// The state store (rate limits, keys) goes away and comes back. Defined outcome: fail closed while it
// is gone (STORE_UNAVAILABLE, nothing forwarded), recover by itself once it is back, audit every refusal.
describe("faults: Redis goes away and comes back (wrap with store.url = redis://)", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  }, 20_000);
  afterAll(async () => redis?.stop());

  it("calls are refused with STORE_UNAVAILABLE (and never reach the upstream) while Redis is down, and flow again after it restarts", async () => {
    const w = prepare();
    const record = path.join(w.dir, "upstream.log");
    const cfg = path.join(w.dir, "portcullis.yaml");
    fs.writeFileSync(cfg, `store: { url: "${redis.url}" }\nservers:\n  rec:\n    command: ${JSON.stringify(RECORDING)}\n    env: { RECORD_FILE: ${JSON.stringify(record)} }\n    trust: verified\n    rate_limit: { per_minute: 1000 }\n`);
    const s = new RawSession(wrapArgs({ ...w, configPath: cfg }, [], ["--name", "rec"]), w.dir);
    await s.initialize();
    s.send(call(1, "echo", { message: "up" }));
    expect(await s.reply(1)).toMatchObject({ result: { content: [{ text: "Echo: up" }] } });
    await redis.stop();
    const callsBefore = fs.readFileSync(record, "utf8").split("\n").filter((l) => l.includes('"tools/call"')).length;
    for (let i = 2; i <= 4; i++) {
      s.send(call(i, "echo", { message: "down" }));
      expect(refusedCode(await s.reply(i))).toBe("STORE_UNAVAILABLE");
    }
    const callsDuring = fs.readFileSync(record, "utf8").split("\n").filter((l) => l.includes('"tools/call"')).length;
    expect(callsDuring).toBe(callsBefore);
    await redis.start();
    let last = "";
    for (let i = 5, deadline = Date.now() + 8000; Date.now() < deadline; i++) {
      s.send(call(i, "echo", { message: "back" }));
      const r = await s.reply(i);
      last = refusedCode(r) ?? "ok";
      if (last === "ok") break;
      await sleep(200);
    }
    expect(last).toBe("ok");
    await s.close();
    expect(w.auditLines().filter((l) => l.code === "STORE_UNAVAILABLE").length).toBeGreaterThanOrEqual(3);
  }, 30_000);
});

describe("faults: the SQLite store is locked by another process, then released", () => {
  it("refuses with STORE_UNAVAILABLE while locked and recovers once released", async () => {
    const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "portcullis-sqlite-"));
    const file = path.join(dir, "state.db");
    const store = new SqliteStore(file, { busyTimeoutMs: 50 });
    const h = relayHarness({ store, raw: { trust: "verified", rate_limit: { per_minute: 1000 } } });
    await initLegacy(h);
    h.relay.fromClient(call(1, "echo", { message: "a" }));
    await h.settle();
    expect(repliesFor(h, 1)[0]).toMatchObject({ result: { content: [{ text: "ran echo" }] } });
    // Another process holds an exclusive lock (a long migration, a stuck writer).
    const { default: Database } = await import("better-sqlite3");
    const other = new Database(file);
    other.exec("BEGIN EXCLUSIVE");
    const sent = h.upstream.length;
    h.relay.fromClient(call(2, "echo", { message: "b" }));
    for (let i = 0; i < 100 && repliesFor(h, 2).length === 0; i++) await sleep(50);
    expect(refusedCode(repliesFor(h, 2)[0]!)).toBe("STORE_UNAVAILABLE");
    expect(h.upstream.slice(sent).some((l) => l.includes('"tools/call"'))).toBe(false);
    other.exec("COMMIT");
    other.close();
    h.relay.fromClient(call(3, "echo", { message: "c" }));
    for (let i = 0; i < 100 && repliesFor(h, 3).length === 0; i++) await sleep(50);
    expect(repliesFor(h, 3)[0]).toMatchObject({ result: { content: [{ text: "ran echo" }] } });
    await store.close();
  }, 20_000);
});

describe("faults: /ready follows the shared store (serve with store.url = redis://)", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  }, 20_000);
  afterAll(async () => redis?.stop());

  it("reports ready with the store up, 503 naming the store while Redis is down, and ready again once it is back", async () => {
    const store = await openStore(redis.url, process.cwd());
    const server = resolveServerPolicy("everything", { command: EVERYTHING, trust: "medium" }, undefined, process.cwd());
    const gw = await startGateway({
      routes: new Map([["everything", { server, pipeline: new Pipeline(defaultLayers(server, { stateDir: tmpStateDir(), store })) }]]),
      audit: new MemoryAudit(), host: "127.0.0.1", port: 0, log: () => {}, checkStore: () => store.get("portcullis:ready-probe"),
    });
    try {
      const ready = async () => {
        const r = await fetch(`${gw.url}/ready`);
        return { status: r.status, body: (await r.json()) as { ready: boolean; store: string } };
      };
      expect(await ready()).toMatchObject({ status: 200, body: { ready: true, store: "ok" } });
      await redis.stop();
      const down = await ready();
      expect(down.status).toBe(503);
      expect(down.body.ready).toBe(false);
      expect(down.body.store).toMatch(/^unavailable: /);
      await redis.start();
      let back = down;
      for (let deadline = Date.now() + 8000; Date.now() < deadline && back.status !== 200; ) {
        await sleep(200);
        back = await ready();
      }
      expect(back).toMatchObject({ status: 200, body: { ready: true, store: "ok" } });
    } finally {
      await gw.close();
      await store.close();
    }
  }, 30_000);
});
