import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors/portcullis-error.js";
import { defaultStoreUrl, openConfiguredStore, openStore } from "../../src/store/open-store.js";
import { StoreUnavailableError } from "../../src/store/store-error.js";
import { RedisServer } from "./redis-server.js";

let server: RedisServer;
beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  await server?.stop();
});

describe("openStore", () => {
  it("sqlite:PATH is relative to the config directory", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-open-"));
    const s = await openStore("sqlite:.portcullis/state.db", dir);
    expect(s.kind).toBe("sqlite");
    expect(s.location).toBe(path.join(dir, ".portcullis", "state.db"));
    expect(fs.existsSync(path.join(dir, ".portcullis", "state.db"))).toBe(true);
    await s.close();
    const abs = await openStore(`sqlite:${path.join(dir, "abs.db")}`, "/nowhere");
    expect(abs.location).toBe(path.join(dir, "abs.db"));
    await abs.close();
    const mem = await openStore("sqlite::memory:", dir);
    await mem.set("a", "b");
    await mem.close();
  });

  it("the default is state.db in the state directory; store.url overrides it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-open-"));
    expect(defaultStoreUrl("/x/.portcullis")).toBe("sqlite:/x/.portcullis/state.db");
    const s = await openConfiguredStore({ baseDir: dir, stateDir: path.join(dir, "st"), loaded: { raw: {} } });
    expect(s.location).toBe(path.join(dir, "st", "state.db"));
    await s.close();
    const r = await openConfiguredStore({ baseDir: dir, stateDir: path.join(dir, "st"), loaded: { raw: { store: { url: `${server.url}/0?prefix=cfg:` } } } });
    expect(r.kind).toBe("redis");
    expect(r.location).toBe(`redis://127.0.0.1:${server.port}/0`);
    await r.close();
  });

  it("redis:// connects; credentials never appear in location or errors", async () => {
    const s = await openStore(server.url, "/tmp");
    expect(s.kind).toBe("redis");
    await s.close();
    const err = await openStore("redis://user:hunter2@127.0.0.1:1", "/tmp", { redis: { connectTimeoutMs: 300 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(String((err as Error).message)).not.toContain("hunter2");
  });

  it.each([
    ["postgres://db/x", /not supported; use sqlite:PATH/],
    ["sqlite:", /give a file after "sqlite:"/],
    ["redis://", /not a valid URL|has no host/],
    ["redis://host:6379/zero", /database number/],
    ["redis://host:6379?tls=1", /unknown parameter "tls"/],
    ["state.db", /not supported/],
  ])("%s is a ConfigError with a clear message", async (url, msg) => {
    const e = await openStore(url, "/tmp").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(msg);
  });

  it("a password in a bad URL is masked in the error", async () => {
    const e = (await openStore("redis://u:s3cret@h:6379?x=1", "/tmp").catch((x: unknown) => x)) as Error;
    expect(e.message).not.toContain("s3cret");
  });
});
