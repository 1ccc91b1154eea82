import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/store/sqlite-store.js";
import { storeContract } from "./store-contract.js";

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-store-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const shared = path.join(tmp(), ".portcullis", "state.db");
storeContract("SqliteStore", async () => new SqliteStore(shared), async () => new SqliteStore(shared));

describe("SqliteStore specifics", () => {
  it("creates the state directory 0700 and the database 0600, in WAL mode", async () => {
    const file = path.join(tmp(), "nested", "state", "state.db");
    const s = new SqliteStore(file);
    await s.set("k", "v");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    for (const side of ["-wal", "-shm"]) if (fs.existsSync(file + side)) expect(fs.statSync(file + side).mode & 0o777).toBe(0o600);
    await s.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("tightens an existing database file that is readable by others", async () => {
    const file = path.join(tmp(), "state.db");
    fs.writeFileSync(file, "", { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const s = new SqliteStore(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    await s.close();
  });

  it("keeps state across reopen (keys survive a restart)", async () => {
    const file = path.join(tmp(), "state.db");
    const a = new SqliteStore(file);
    await a.set("apikey:1", "{}");
    await a.hit([{ key: "r", limit: 1, windowMs: 60_000 }]);
    await a.close();
    const b = new SqliteStore(file);
    expect(await b.get("apikey:1")).toBe("{}");
    expect((await b.hit([{ key: "r", limit: 1, windowMs: 60_000 }])).allowed).toBe(false);
    await b.close();
  });

  it("uses the injected clock for expiry and windows, and sweep reclaims expired rows", async () => {
    let now = 1_000_000;
    const s = new SqliteStore(":memory:", { now: () => now, sweepIntervalMs: 0 });
    await s.set("a", "1", { ttlMs: 1000 });
    const rule = { key: "w", limit: 1, windowMs: 60_000 };
    expect((await s.hit([rule])).allowed).toBe(true);
    now += 30_000;
    expect(await s.hit([rule])).toMatchObject({ allowed: false, retryAfterMs: 30_000 });
    expect(await s.get("a")).toBeUndefined();
    now += 30_000;
    expect((await s.hit([rule])).allowed).toBe(true);
    s.sweep();
    await s.close();
  });

  it("a database it cannot open is a StoreUnavailableError naming the file", () => {
    const dir = tmp();
    const file = path.join(dir, "state.db");
    fs.mkdirSync(file); // a directory where the file should be
    expect(() => new SqliteStore(file)).toThrow(/sqlite store: opening .*state\.db failed/);
  });
});
