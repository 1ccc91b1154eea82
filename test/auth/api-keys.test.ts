import * as crypto from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hashSecret, parseApiKey } from "../../src/auth/api-key-format.js";
import { createApiKey, listApiKeys, revokeApiKey } from "../../src/auth/api-keys.js";
import { verifyApiKey } from "../../src/auth/verify-api-key.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { StoreUnavailableError } from "../../src/store/store-error.js";

vi.mock("node:crypto", async (orig) => {
  const real = await orig<typeof crypto>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

let store: SqliteStore;
beforeEach(() => {
  store = new SqliteStore(":memory:");
});
afterEach(() => store.close());

describe("API keys", () => {
  it("create returns pcl_<id>_<secret> once and stores only a hash", async () => {
    const { key, info } = await createApiKey(store, { name: "ci bot", scopes: ["server:files"], ratePerMinute: 30 });
    expect(key).toMatch(/^pcl_[0-9a-f]{12}_[A-Za-z0-9]{43}$/);
    const { id, secret } = parseApiKey(key)!;
    expect(info).toMatchObject({ id, name: "ci bot", scopes: ["server:files"], ratePerMinute: 30, status: "active" });
    expect(secret).toHaveLength(43); // 43 base62 characters = 256 bits of randomness
    const raw = (await store.list(""))[0]!.value;
    expect(raw).not.toContain(secret);
    expect(JSON.parse(raw).hash).toBe(`sha256:${hashSecret(id, secret).toString("hex")}`);
    expect(JSON.stringify(await listApiKeys(store))).not.toMatch(/hash|sha256/);
  });

  it("verify accepts the key and yields its principal", async () => {
    const { key, info } = await createApiKey(store, { name: "a", scopes: ["*"], ratePerMinute: 10 });
    const r = await verifyApiKey(store, key);
    expect(r).toMatchObject({ ok: true, principal: { kind: "api_key", id: info.id, scopes: ["*"], ratePerMinute: 10 } });
    expect(await verifyApiKey(store, `  ${key}\n`)).toMatchObject({ ok: true });
  });

  it.each([
    [undefined, "missing"],
    ["", "missing"],
    ["Bearer abc", "malformed"],
    ["pcl_123_abc", "malformed"],
    ["pcl_ABCDEF123456_" + "a".repeat(43), "malformed"],
    ["pcl_0123456789ab_" + "a".repeat(42), "malformed"],
    ["pcl_0123456789ab_" + "a".repeat(42) + "_", "malformed"],
    ["pcl_0123456789ab_" + "a".repeat(43), "unknown"],
  ])("verify %j -> %s", async (presented, reason) => {
    expect(await verifyApiKey(store, presented)).toEqual({ ok: false, reason });
  });

  it("a wrong secret for a real id is 'unknown' and does not reveal revocation", async () => {
    const { key, info } = await createApiKey(store, { name: "a", scopes: ["*"] });
    const forged = `pcl_${info.id}_${"A".repeat(43)}`;
    expect(await verifyApiKey(store, forged)).toEqual({ ok: false, reason: "unknown" });
    await revokeApiKey(store, info.id);
    expect(await verifyApiKey(store, forged)).toEqual({ ok: false, reason: "unknown" });
    expect(await verifyApiKey(store, key)).toEqual({ ok: false, reason: "revoked" });
  });

  it("compares in constant time, also for unknown ids (against a dummy hash)", async () => {
    const tse = vi.mocked(crypto.timingSafeEqual);
    const { key, info } = await createApiKey(store, { name: "a", scopes: ["*"] });
    tse.mockClear();
    await verifyApiKey(store, key);
    await verifyApiKey(store, `pcl_${info.id}_${"B".repeat(43)}`);
    await verifyApiKey(store, `pcl_ffffffffffff_${"B".repeat(43)}`);
    expect(tse).toHaveBeenCalledTimes(3);
    for (const [a, b] of tse.mock.calls) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
  });

  it("revocation is effective on the very next verify, and revoking twice keeps the first time", async () => {
    const { key, info } = await createApiKey(store, { name: "a", scopes: ["*"] });
    expect((await verifyApiKey(store, key)).ok).toBe(true);
    const r1 = await revokeApiKey(store, info.id, Date.parse("2030-01-01T00:00:00Z"));
    expect(r1).toMatchObject({ status: "revoked", revokedAt: "2030-01-01T00:00:00.000Z" });
    expect(await verifyApiKey(store, key)).toEqual({ ok: false, reason: "revoked" });
    const r2 = await revokeApiKey(store, info.id, Date.parse("2031-01-01T00:00:00Z"));
    expect(r2?.revokedAt).toBe("2030-01-01T00:00:00.000Z");
    expect(await revokeApiKey(store, "000000000000")).toBeUndefined();
  });

  it("expiry is effective at the expiry instant", async () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    const { key } = await createApiKey(store, { name: "a", scopes: ["*"], expiresAt: new Date(now + 1000), now });
    expect((await verifyApiKey(store, key, now + 999)).ok).toBe(true);
    expect(await verifyApiKey(store, key, now + 1000)).toEqual({ ok: false, reason: "expired" });
    expect((await listApiKeys(store, now + 1000))[0]!.status).toBe("expired");
  });

  it("secrets are uniformly drawn from base62 (no bias toward the first characters)", async () => {
    const { generateSecret } = await import("../../src/auth/api-key-format.js");
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const c of generateSecret()) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (2000 * 43) / 62;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.2);
  });

  it("list shows every key, oldest first, never a secret", async () => {
    const a = await createApiKey(store, { name: "first", scopes: ["*"], now: 1_000 });
    const b = await createApiKey(store, { name: "second", scopes: ["op:read"], now: 2_000 });
    const list = await listApiKeys(store, 3_000);
    expect(list.map((k) => k.name)).toEqual(["first", "second"]);
    const text = JSON.stringify(list);
    expect(text).not.toContain(parseApiKey(a.key)!.secret);
    expect(text).not.toContain(parseApiKey(b.key)!.secret);
  });

  it("rejects bad options before writing anything", async () => {
    await expect(createApiKey(store, { name: " ", scopes: ["*"] })).rejects.toThrow(RangeError);
    await expect(createApiKey(store, { name: "a", scopes: [] })).rejects.toThrow(/at least one scope/);
    await expect(createApiKey(store, { name: "a", scopes: ["srv:files"] })).rejects.toThrow(/not server:GLOB/);
    await expect(createApiKey(store, { name: "a", scopes: ["*"], ratePerMinute: 0 })).rejects.toThrow(/positive whole number/);
    await expect(createApiKey(store, { name: "a", scopes: ["*"], expiresAt: new Date(0) })).rejects.toThrow(/future/);
    expect(await store.list("")).toEqual([]);
  });

  it("a corrupt stored record is treated as no key (fail closed)", async () => {
    const { key, info } = await createApiKey(store, { name: "a", scopes: ["*"] });
    await store.set(`apikey:${info.id}`, "{not json");
    expect(await verifyApiKey(store, key)).toEqual({ ok: false, reason: "unknown" });
    await store.set(`apikey:${info.id}`, JSON.stringify({ v: 1, id: info.id, name: "a", scopes: ["*"], createdAt: "x", hash: "md5:00" }));
    expect(await verifyApiKey(store, key)).toEqual({ ok: false, reason: "unknown" });
  });

  it("a store outage rejects verification (the caller refuses the request)", async () => {
    const { key } = await createApiKey(store, { name: "a", scopes: ["*"] });
    await store.close();
    await expect(verifyApiKey(store, key)).rejects.toBeInstanceOf(StoreUnavailableError);
    store = new SqliteStore(":memory:");
  });
});
