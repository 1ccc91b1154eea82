import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVERYTHING, prepare, RawSession, ROOT, wrapArgs, type Wrapped } from "../helpers/wrap-harness.js";

const FAULTY = [process.execPath, path.join(ROOT, "test/fixtures/servers/faulty-server.mjs")];
const errCode = (m: Record<string, unknown>) => (m.error as { code: number } | undefined)?.code;
/** A refused tools/call is an isError result carrying the Portcullis code (SPEC: denial shapes). */
const refused = (code: string, text?: RegExp) => ({
  result: { isError: true, content: [{ type: "text", text: text ? expect.stringMatching(text) : expect.any(String) }], _meta: { portcullis: { code } } },
});

describe("wrap: bad client input gets a clear error and wrap keeps serving", () => {
  let w: Wrapped;
  let s: RawSession;
  beforeAll(async () => {
    w = prepare("defaults: { max_request_kb: 64, trust: verified }\n");
    s = new RawSession(wrapArgs(w, EVERYTHING), w.dir);
    await s.initialize();
  });
  afterAll(async () => s?.close());

  it("malformed JSON line -> parse error (-32700)", async () => {
    s.send('{"jsonrpc":"2.0","id":1,"method":');
    expect(errCode(await s.next())).toBe(-32700);
  });

  it("non-object message -> invalid request (-32600)", async () => {
    s.send('"just a string"');
    expect(errCode(await s.next())).toBe(-32600);
    s.send('{"jsonrpc":"2.0","id":{"x":1},"method":"ping"}');
    expect(errCode(await s.next())).toBe(-32600);
  });

  it("unknown method is relayed and the upstream's answer comes back", async () => {
    s.send('{"jsonrpc":"2.0","id":"u1","method":"no/such/method"}');
    expect(errCode(await s.reply("u1"))).toBe(-32601);
  });

  it("oversized message -> -32010 with the id recovered, and nothing reaches the upstream", async () => {
    s.send(JSON.stringify({ jsonrpc: "2.0", id: "big", method: "tools/call", params: { name: "echo", arguments: { message: "x".repeat(100_000) } } }));
    const r = await s.reply("big");
    expect(r).toMatchObject({ error: { code: -32010, message: expect.stringMatching(/limit is 65536 bytes/) } });
  });

  it("invalid UTF-8 -> -32015", async () => {
    s.send(Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":"bad","method":"ping","params":{"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}\n')]));
    expect(await s.reply("bad")).toMatchObject({ error: { code: -32015 } });
  });

  it("still serves afterwards, and every rejection is in the audit log", async () => {
    s.send('{"jsonrpc":"2.0","id":"after","method":"ping"}');
    expect(await s.reply("after")).toMatchObject({ result: {} });
    const events = w.auditLines().filter((l) => l.event === "malformed_message").map((l) => l.code);
    expect(events).toEqual(["PARSE_ERROR", "INVALID_REQUEST", "INVALID_REQUEST", "MESSAGE_TOO_LARGE", "INVALID_UTF8"]);
  });
});

describe("wrap: upstream faults", () => {
  it("survives garbage, stray ids, invalid UTF-8 and oversized replies from the upstream", async () => {
    const w = prepare("defaults: { trust: verified, max_response_kb: 1024 }\n");
    const s = new RawSession(wrapArgs(w, FAULTY), w.dir);
    await s.initialize();
    const call = async (id: string, name: string) => {
      s.send(JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: {} } }));
      return s.reply(id);
    };
    expect(await call("g", "garbage")).toMatchObject({ result: { content: [{ text: "after garbage" }] } });
    expect(await call("s", "stray")).toMatchObject({ result: { content: [{ text: "after stray" }] } });
    expect(await call("u", "utf8")).toMatchObject({ result: { content: [{ text: "after bad utf8" }] } });
    expect(await call("h", "huge")).toMatchObject(refused("RESPONSE_TOO_LARGE", /limit is 1048576 bytes/));
    expect(await call("o", "ok")).toMatchObject({ result: { content: [{ text: "fine" }] } });
    await s.close();
    const events = w.auditLines().map((l) => l.event);
    expect(events).toEqual(expect.arrayContaining(["upstream_malformed", "unsolicited_response", "response_blocked"]));
  });

  it("times out a hanging upstream call", async () => {
    const w = prepare("defaults: { trust: verified, timeout_s: 0.5 }\n");
    const s = new RawSession(wrapArgs(w, FAULTY), w.dir);
    await s.initialize();
    s.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "hang", arguments: {} } }));
    expect(await s.reply(1)).toMatchObject(refused("UPSTREAM_TIMEOUT", /did not answer within 0.5 s/));
    s.send('{"jsonrpc":"2.0","id":2,"method":"ping"}');
    expect(await s.reply(2)).toMatchObject({ result: {} });
    await s.close();
  });

  it("answers pending calls with an error and exits non-zero when the upstream crashes", async () => {
    const w = prepare("defaults: { trust: verified }\n");
    const s = new RawSession(wrapArgs(w, FAULTY), w.dir);
    await s.initialize();
    s.send(JSON.stringify({ jsonrpc: "2.0", id: "c", method: "tools/call", params: { name: "crash", arguments: {} } }));
    expect(await s.reply("c")).toMatchObject(refused("UPSTREAM_UNAVAILABLE", /exited with code 3/));
    expect(await s.exited).toBe(3);
    expect(s.stderr).toContain("crashing on purpose"); // upstream stderr passes through
    expect(w.auditLines().some((l) => l.event === "upstream_exit")).toBe(true);
  });

  it("fails cleanly when the upstream command does not exist", async () => {
    const w = prepare();
    const s = new RawSession(wrapArgs(w, ["/nonexistent/server-binary"]), w.dir);
    expect(await s.exited).toBe(1);
    expect(s.stderr).toMatch(/cannot start upstream/);
  });

  it("shuts the child down and exits on SIGTERM", async () => {
    const w = prepare();
    const s = new RawSession(wrapArgs(w, EVERYTHING), w.dir);
    await s.initialize();
    s.proc.kill("SIGTERM");
    expect(await s.exited).toBe(143);
  });
});
