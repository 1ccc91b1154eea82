import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepare, RawSession, wrapArgs, type Wrapped } from "../helpers/wrap-harness.js";
import { peakRssMb, RECORDING, refusedCode } from "../faults/fault-helpers.js";

// Byte-level fuzzing of the real `portcullis wrap` process: whatever bytes arrive on stdin, wrap
// stays up, answers every well-formed request exactly once, forwards nothing it denies, and its
// memory stays bounded. One process for the whole file keeps this within CI time.
const SEED = 42;

function start(extra = ""): { w: Wrapped; s: RawSession; record: string } {
  const w = prepare();
  const record = path.join(w.dir, "upstream.log");
  const cfg = path.join(w.dir, "portcullis.yaml");
  fs.writeFileSync(cfg, `servers:\n  rec:\n    command: ${JSON.stringify(RECORDING)}\n    env: { RECORD_FILE: ${JSON.stringify(record)} }\n    trust: low\n    max_request_kb: 64\n    rate_limit: { per_minute: 100000 }\n    tools: { deny: ["secret_*"] }\n${extra}`);
  const s = new RawSession(wrapArgs({ ...w, configPath: cfg }, [], ["--name", "rec"]), w.dir);
  return { w, s, record };
}

const upstreamLines = (record: string) => (fs.existsSync(record) ? fs.readFileSync(record, "utf8").split("\n").filter(Boolean) : []);

/** Byte fragments: valid requests with known ids, and hostile bytes. */
const fragment = (n: number) => fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("ping", "echo", "secret").map((k) => ({ id: `r${n}`, bytes: Buffer.from(JSON.stringify(k === "ping" ? { jsonrpc: "2.0", id: `r${n}`, method: "ping" } : { jsonrpc: "2.0", id: `r${n}`, method: "tools/call", params: { name: k === "echo" ? "echo" : "secret_admin", arguments: { message: "hi" } } }) + (n % 2 ? "\r\n" : "\n")) })) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 60 }).map((b) => ({ id: undefined, bytes: Buffer.concat([Buffer.from(b.filter((x) => x !== 0x0a)), Buffer.from("\n")]) })) },
  { weight: 1, arbitrary: fc.constantFrom(
    Buffer.from([0xed, 0xa0, 0x80]), // a lone surrogate encoded as (invalid) UTF-8
    Buffer.from('"\\ud800"'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from("\ufeff{}"),
    Buffer.from("{\"jsonrpc\":\"2.0\",\"id\":"),
  ).map((b) => ({ id: undefined, bytes: Buffer.concat([b, Buffer.from("\n")]) })) },
);

describe("fuzz: bytes into wrap", () => {
  let ctx: ReturnType<typeof start>;
  beforeAll(async () => {
    ctx = start();
    await ctx.s.initialize();
  });
  afterAll(async () => ctx?.s.close());

  it("random byte streams cut at random points: every well-formed request answered exactly once, nothing denied forwarded, wrap alive", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 12 }).chain((ns) => fc.tuple(fc.tuple(...ns.map((_, i) => fragment(i))), fc.array(fc.nat(400), { maxLength: 6 }))), async ([frags, cuts]) => {
        run++;
        const ids = frags.filter((f) => f.id).map((f) => `${f.id}-${run}`);
        const data = Buffer.concat(frags.map((f) => (f.id ? Buffer.from(f.bytes.toString().replace(`"${f.id}"`, `"${f.id}-${run}"`)) : f.bytes)));
        // write in pieces (partial lines), then a sentinel
        let at = 0;
        for (const c of [...cuts].sort((a, b) => a - b)) {
          if (c > at && c < data.length) {
            ctx.s.proc.stdin.write(data.subarray(at, c));
            at = c;
          }
        }
        ctx.s.proc.stdin.write(data.subarray(at));
        const sentinel = `sentinel-${run}`;
        ctx.s.send(`\n{"jsonrpc":"2.0","id":"${sentinel}","method":"ping"}`);
        // Replies may come in any order (a first tools/call waits for the tool catalog): read until the
        // sentinel and every id are in, then a second sentinel catches any duplicate answer.
        const seen = new Map<unknown, number>();
        const count = async (until: () => boolean) => {
          while (!until()) {
            const m = await ctx.s.next(5000);
            seen.set(m.id, (seen.get(m.id) ?? 0) + 1);
          }
        };
        await count(() => seen.has(sentinel) && ids.every((id) => seen.has(id)));
        ctx.s.send(`{"jsonrpc":"2.0","id":"${sentinel}-2","method":"ping"}`);
        await count(() => seen.has(`${sentinel}-2`));
        for (const id of ids) expect(seen.get(id), `id ${id}`).toBe(1);
      }),
      { seed: SEED, numRuns: 40 },
    );
    for (const line of upstreamLines(ctx.record)) expect(line).not.toMatch(/secret_admin/);
  }, 60_000);

  it("a 50 MB line (streamed in 1 MB chunks) is refused with MESSAGE_TOO_LARGE, id recovered, memory bounded", async () => {
    const head = '{"jsonrpc":"2.0","id":"huge","method":"tools/call","params":{"name":"echo","arguments":{"message":"';
    ctx.s.proc.stdin.write(head);
    const mb = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 50; i++) {
      if (!ctx.s.proc.stdin.write(mb)) await new Promise((r) => ctx.s.proc.stdin.once("drain", r));
    }
    ctx.s.proc.stdin.write('"}}}\n');
    const r = await ctx.s.reply("huge", 20_000);
    expect(r).toMatchObject({ error: { code: -32010 } });
    const peak = peakRssMb(ctx.s.proc.pid);
    if (peak !== undefined) expect(peak).toBeLessThan(160);
    expect(upstreamLines(ctx.record).some((l) => l.includes('"huge"'))).toBe(false);
  }, 30_000);

  it("a client notification flood (50k in one write) is relayed and the next request is still answered", async () => {
    const n = '{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}}\n';
    ctx.s.proc.stdin.write(n.repeat(50_000));
    ctx.s.send('{"jsonrpc":"2.0","id":"after-flood","method":"ping"}');
    expect(await ctx.s.reply("after-flood", 20_000)).toMatchObject({ result: {} });
  }, 30_000);

  it("denied calls in any encoding never reach the upstream process", async () => {
    const denied = [
      '{"jsonrpc":"2.0","id":"d1","method":"tools/call","params":{"name":"secret_admin","arguments":{}}}',
      '{"jsonrpc":"2.0","id":"d2","method":"tools/call","params":{"name":"\\u0073ecret_admin","arguments":{}}}',
      '[{"jsonrpc":"2.0","id":"d3","method":"tools/call","params":{"name":"secret_admin"}}]',
      '{"params":{"arguments":{},"name":"secret_admin"},"method":"tools\\/call","id":"d4","jsonrpc":"2.0"}',
    ];
    for (const d of denied) ctx.s.send(d);
    for (const id of ["d1", "d2", "d3", "d4"]) expect(refusedCode(await ctx.s.reply(id))).toBe("TOOL_DENIED");
    expect(upstreamLines(ctx.record).some((l) => /secret_admin|ecret_admin/.test(JSON.stringify(JSON.parse(l))))).toBe(false);
  });
});

describe("fuzz: wrap survives hostile nesting", () => {
  it("a deeply nested client batch is answered with an error and wrap keeps serving", async () => {
    const { s } = start();
    await s.initialize();
    s.send("[".repeat(10_000) + "]".repeat(10_000));
    s.send('{"jsonrpc":"2.0","id":"alive","method":"ping"}');
    const r = await s.reply("alive", 2000).finally(() => s.proc.kill("SIGKILL"));
    expect(r).toMatchObject({ result: {} });
  });
});
