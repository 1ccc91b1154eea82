import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyApiKey } from "../../src/auth/verify-api-key.js";
import { main } from "../../src/cli/main.js";
import { RedisStore } from "../../src/store/redis-store.js";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { RedisServer } from "../store/redis-server.js";
import { runCli } from "../helpers/run-cli.js";

const run = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => runCli(main, args, { cwd, env });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-keys-"));

describe("portcullis keys", () => {
  it("create prints the key once on stdout (details and a warning on stderr); the store holds only a hash", async () => {
    const dir = tmp();
    const r = await run(["keys", "create", "--name", "ci", "--scopes", "server:files,op:read", "--rate", "30/min", "--expires", "30d"], dir);
    expect(r.code).toBe(0);
    const key = r.out.trim();
    expect(key).toMatch(/^pcl_[0-9a-f]{12}_[A-Za-z0-9]{43}$/);
    expect(r.err).toMatch(/WARNING: this is the only time the key is shown/);
    expect(r.err).toMatch(/scopes: {2}server:files, op:read/);
    expect(r.err).toMatch(/rate: {4}30\/min/);
    const db = path.join(dir, ".portcullis", "state.db");
    expect(fs.statSync(db).mode & 0o777).toBe(0o600);
    const store = new SqliteStore(db);
    const v = await verifyApiKey(store, key);
    expect(v).toMatchObject({ ok: true, principal: { scopes: ["server:files", "op:read"], ratePerMinute: 30 } });
    const secret = key.split("_")[2]!;
    expect((await store.list("")).map((e) => e.value).join()).not.toContain(secret);
    await store.close();

    const list = await run(["keys", "list"], dir);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^ID\s+NAME\s+STATUS\s+SCOPES\s+RATE\s+CREATED\s+EXPIRES/);
    expect(list.out).toMatch(/ci\s+active\s+server:files,op:read\s+30\/min/);
    expect(list.out).not.toContain(secret);
  });

  it("revoke ID takes effect immediately; list shows it revoked", async () => {
    const dir = tmp();
    const key = (await run(["keys", "create", "--name", "temp"], dir)).out.trim();
    const id = key.split("_")[1]!;
    const r = await run(["keys", "revoke", id], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`revoked ${id} "temp"`));
    const store = new SqliteStore(path.join(dir, ".portcullis", "state.db"));
    expect(await verifyApiKey(store, key)).toEqual({ ok: false, reason: "revoked" });
    await store.close();
    const list = JSON.parse((await run(["keys", "list", "--json"], dir)).out);
    expect(list).toMatchObject([{ id, name: "temp", status: "revoked", scopes: ["*"] }]);
    expect(JSON.stringify(list)).not.toMatch(/hash/);
  });

  it("--state-dir and PORTCULLIS_STATE_DIR choose where state.db lives", async () => {
    const dir = tmp();
    expect((await run(["keys", "create", "--name", "a", "--state-dir", "elsewhere"], dir)).code).toBe(0);
    expect(fs.existsSync(path.join(dir, "elsewhere", "state.db"))).toBe(true);
    expect((await run(["keys", "create", "--name", "b"], dir, { PORTCULLIS_STATE_DIR: path.join(dir, "env") })).code).toBe(0);
    expect(fs.existsSync(path.join(dir, "env", "state.db"))).toBe(true);
    expect((await run(["keys", "list"], dir)).out).toMatch(/no API keys/);
  });

  it("store.url in the config is honoured (sqlite path relative to the config)", async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, "conf"));
    fs.writeFileSync(path.join(dir, "conf", "portcullis.yaml"), "store:\n  url: sqlite:keys/state.db\n");
    expect((await run(["keys", "create", "--name", "a", "-c", "conf/portcullis.yaml"], dir)).code).toBe(0);
    expect(fs.existsSync(path.join(dir, "conf", "keys", "state.db"))).toBe(true);
  });

  it.each([
    [["keys"], /usage: portcullis keys create/],
    [["keys", "rotate"], /unknown keys subcommand "rotate"/],
    [["keys", "create"], /needs --name/],
    [["keys", "create", "--name", "a", "--scopes", "files"], /not server:GLOB/],
    [["keys", "create", "--name", "a", "--scopes", "op:nuke"], /unknown operation "nuke"/],
    [["keys", "create", "--name", "a", "--rate", "fast"], /--rate "fast"/],
    [["keys", "create", "--name", "a", "--rate", "100/h"], /multiple of 60/],
    [["keys", "create", "--name", "a", "--expires", "soon"], /--expires "soon"/],
    [["keys", "create", "--name", "a", "--expires", "2001-01-01"], /in the past/],
    [["keys", "list", "--name", "x"], /does not take --name/],
    [["keys", "revoke"], /takes one key id/],
    [["keys", "revoke", "000000000000"], /no API key with id "000000000000"/],
    [["keys", "revoke", "pcl_0123456789ab_xyz"], /not the key itself/],
    [["keys", "create", "--name", "a", "--bogus"], /bogus/],
  ])("%j is a usage error (exit 2)", async (args, msg) => {
    const r = await run(args, tmp());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
    expect(r.out).toBe("");
  });

  it("rates: N, N/min, N/s and N/h convert to calls per minute", async () => {
    const dir = tmp();
    for (const [rate, per] of [["45", 45], ["2/s", 120], ["120/h", 2]] as const) {
      const key = (await run(["keys", "create", "--name", rate, "--rate", rate], dir)).out.trim();
      const store = new SqliteStore(path.join(dir, ".portcullis", "state.db"));
      expect(await verifyApiKey(store, key)).toMatchObject({ ok: true, principal: { ratePerMinute: per } });
      await store.close();
    }
  });
});

describe("portcullis keys with store.url: redis://", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("creates keys in Redis, where every gateway process sees them; an unreachable Redis exits 2 with a message", async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "portcullis.yaml"), `store:\n  url: "${server.url}?prefix=clitest:"\n`);
    const created = await run(["keys", "create", "--name", "shared"], dir);
    expect(created.err).toMatch(/Created API key/);
    const key = created.out.trim();
    const store = await RedisStore.open(server.url, { prefix: "clitest:" });
    expect(await verifyApiKey(store, key)).toMatchObject({ ok: true });
    await store.close();
    expect(fs.existsSync(path.join(dir, ".portcullis", "state.db"))).toBe(false);

    fs.writeFileSync(path.join(dir, "portcullis.yaml"), "store:\n  url: redis://127.0.0.1:1\n");
    const r = await run(["keys", "list"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/the state store is unavailable: redis store: cannot connect to redis:\/\/127\.0\.0\.1:1/);
  });
});
