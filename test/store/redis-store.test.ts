import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisStore } from "../../src/store/redis-store.js";
import type { Store } from "../../src/store/store.js";
import { StoreUnavailableError } from "../../src/store/store-error.js";
import { RedisServer } from "./redis-server.js";
import { storeContract } from "./store-contract.js";

let server: RedisServer;
const open: Store[] = [];
async function connect(prefix = "test:"): Promise<RedisStore> {
  const s = await RedisStore.open(server.url, { prefix, connectTimeoutMs: 2000 });
  open.push(s);
  return s;
}

beforeAll(async () => {
  server = await RedisServer.start(); // fails (does not skip) when redis-server is missing
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await server?.stop();
});

storeContract("RedisStore", () => connect(), () => connect());

const waitFor = async (cond: () => Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("condition not met in time");
};

describe("RedisStore specifics", () => {
  it("two independent clients (two gateway processes) enforce ONE limit", async () => {
    const gatewayA = await connect();
    const gatewayB = await connect();
    const rule = { key: "server:files:caller:k_shared", limit: 4, windowMs: 60_000 };
    const seq: boolean[] = [];
    for (let i = 0; i < 6; i++) seq.push((await (i % 2 ? gatewayB : gatewayA).hit([rule])).allowed);
    expect(seq).toEqual([true, true, true, true, false, false]);
    const denied = await gatewayB.hit([rule]);
    expect(denied.allowed).toBe(false);
    expect(denied.retryAfterMs).toBeGreaterThan(14_000); // token bucket: one call refills every 60 s / 4
    expect(denied.retryAfterMs).toBeLessThanOrEqual(15_000);
    // and they share plain state too
    await gatewayA.set("apikey:abc", "{}");
    expect(await gatewayB.get("apikey:abc")).toBe("{}");
  });

  it("the key prefix isolates deployments sharing one Redis", async () => {
    const a = await connect("deployA:");
    const b = await connect("deployB:");
    await a.set("pin:x", "1");
    expect(await b.get("pin:x")).toBeUndefined();
    const rule = { key: "same", limit: 1, windowMs: 60_000 };
    expect((await a.hit([rule])).allowed).toBe(true);
    expect((await b.hit([rule])).allowed).toBe(true);
  });

  it("open rejects with StoreUnavailableError when nothing listens", async () => {
    await expect(RedisStore.open("redis://127.0.0.1:1", { connectTimeoutMs: 500 })).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("an outage makes every operation fail fast (so callers fail closed); service resumes after Redis restarts", async () => {
    const s = await connect();
    await s.set("before", "1");
    expect((await s.hit([{ key: "outage", limit: 10, windowMs: 60_000 }])).allowed).toBe(true);

    await server.stop();
    const t0 = Date.now();
    await expect(s.hit([{ key: "outage", limit: 10, windowMs: 60_000 }])).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(s.get("before")).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(s.set("during", "1")).rejects.toThrow(/redis store: set failed/);
    await expect(s.take("before")).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - t0).toBeLessThan(1500); // no hanging on an offline queue

    await server.start(); // empty: --save '' means a restart loses data, and the script cache is empty
    await waitFor(async () => {
      try {
        await s.get("probe");
        return true;
      } catch {
        return false;
      }
    });
    // Lua scripts are reloaded transparently after the restart emptied the script cache
    expect((await s.hit([{ key: "outage", limit: 1, windowMs: 60_000 }])).allowed).toBe(true);
    expect((await s.hit([{ key: "outage", limit: 1, windowMs: 60_000 }])).allowed).toBe(false);
    expect(await s.take("x-none")).toBeUndefined();
    await s.set("after", "1");
    expect(await s.get("after")).toBe("1");
  });
});
