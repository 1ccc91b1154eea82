import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tmpStateDir } from "../helpers/temp-dir.js";
import { parseFirstWins } from "./json-first-wins.js";
import { initLegacy, relayHarness, repliesFor } from "./relay-harness.js";

// Property tests on the MessageRelay with the default layers (in-process: thousands of messages per
// second, so the properties get many runs within CI time). Fixed seeds: failures are reproducible.
const SEED = 20261123;
const stateDir = tmpStateDir();
const harness = async () => {
  const h = relayHarness({ stateDir });
  await initLegacy(h);
  return h;
};

/** What the policy (HARNESS_POLICY) denies; none of it may ever reach the upstream. */
function forbidden(m: unknown): boolean {
  if (Array.isArray(m)) return m.some(forbidden);
  if (typeof m !== "object" || m === null) return false;
  const r = m as Record<string, unknown>;
  if (typeof r.method !== "string") return false;
  if (r.method.startsWith("resources/")) return true;
  if (r.method !== "tools/call") return false;
  const p = (r.params ?? {}) as Record<string, unknown>;
  if (p.name === "secret_admin" || p.name === "delete_all" || p.name === "no_such_tool") return true;
  const msg = (p.arguments as Record<string, unknown> | undefined)?.message;
  return p.name === "echo" && typeof msg === "string" && msg.length > 200;
}

/** Every reader the upstream might use: JSON.parse (last duplicate key wins) and a first-wins parser. */
function readings(line: string): unknown[] {
  const out: unknown[] = [];
  for (const parse of [JSON.parse, parseFirstWins]) {
    try {
      out.push(parse(line));
    } catch {
      // an unparseable line reaches no handler
    }
  }
  return out;
}

const DENIED: Record<string, unknown>[] = [
  { method: "tools/call", params: { name: "secret_admin", arguments: {} } },
  { method: "tools/call", params: { name: "delete_all", arguments: { confirm: true } } },
  { method: "tools/call", params: { name: "no_such_tool", arguments: {} } },
  { method: "tools/call", params: { name: "echo", arguments: { message: "x".repeat(300) } } },
  { method: "resources/read", params: { uri: "file:///etc/passwd" } },
];

/** A JSON encoder with random but valid choices: \u escapes, whitespace, key order, optional duplicate keys. */
function encode(v: unknown, rnd: () => number, o: { escape: number; ws: boolean; shuffle: boolean; dupName?: "first" | "last" }): string {
  const space = () => (o.ws && rnd() < 0.3 ? [" ", "\n", "\t", "\r\n "][Math.floor(rnd() * 4)]!.replace("\n", o.ws ? " " : "") : "");
  const str = (s: string) => '"' + [...s].map((ch) => {
    const j = JSON.stringify(ch).slice(1, -1);
    if (rnd() < o.escape) return [...ch].map((u) => "\\u" + u.charCodeAt(0).toString(16).padStart(4, rnd() < 0.5 ? "0" : "0")).join("");
    return j;
  }).join("") + '"';
  const enc = (x: unknown, inParams: boolean): string => {
    if (Array.isArray(x)) return "[" + x.map((e) => space() + enc(e, false) + space()).join(",") + "]";
    if (x !== null && typeof x === "object") {
      let entries = Object.entries(x).map(([k, val]) => space() + str(k) + space() + ":" + space() + enc(val, k === "params") + space());
      if (o.shuffle) entries = entries.sort(() => rnd() - 0.5);
      if (inParams && o.dupName && "name" in (x as object)) {
        const benign = str("name") + ":" + str("echo");
        entries = o.dupName === "first" ? [benign, ...entries] : [...entries, benign];
      }
      return "{" + entries.join(",") + "}";
    }
    if (typeof x === "string") return str(x);
    return JSON.stringify(x);
  };
  return space() + enc(v, false) + space();
}

const mulberry = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const encoding = fc.record({
  which: fc.integer({ min: 0, max: DENIED.length - 1 }),
  id: fc.oneof(fc.integer(), fc.string({ maxLength: 20 })),
  escape: fc.constantFrom(0, 0.2, 1),
  ws: fc.boolean(),
  shuffle: fc.boolean(),
  batch: fc.boolean(),
  seed: fc.integer(),
});

describe("fuzz: a message a layer denies never reaches the upstream, whatever its encoding", () => {
  it("escapes, whitespace, key order and batching: denied, answered exactly once, nothing forwarded", async () => {
    await fc.assert(
      fc.asyncProperty(encoding, async (e) => {
        const h = await harness();
        const msg = { jsonrpc: "2.0", id: e.id, ...DENIED[e.which]! };
        const text = encode(e.batch ? [msg] : msg, mulberry(e.seed), { escape: e.escape, ws: e.ws, shuffle: e.shuffle });
        const before = h.upstream.length;
        h.relay.fromClient(text);
        await h.settle();
        for (const line of h.upstream.slice(before)) for (const m of readings(line)) expect(forbidden(m), line).toBe(false);
        expect(repliesFor(h, e.id)).toHaveLength(1);
        const r = repliesFor(h, e.id)[0]!;
        expect(r.error !== undefined || (r.result as { isError?: boolean }).isError === true).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("duplicate keys: the upstream cannot read a different tool than the one Portcullis judged", async () => {
    await fc.assert(
      fc.asyncProperty(encoding, fc.constantFrom("first" as const, "last" as const), async (e, dupName) => {
        const h = await harness();
        const msg = { jsonrpc: "2.0", id: e.id, ...DENIED[e.which % 3]! };
        const text = encode(msg, mulberry(e.seed), { escape: e.escape, ws: e.ws, shuffle: e.shuffle, dupName });
        const before = h.upstream.length;
        h.relay.fromClient(text);
        await h.settle();
        for (const line of h.upstream.slice(before)) for (const m of readings(line)) expect(forbidden(m), line).toBe(false);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

// ---- random and mutated JSON-RPC --------------------------------------------------------------

const validRequest = (i: number) => fc.oneof(
  fc.constant({ jsonrpc: "2.0", id: `valid-${i}`, method: "ping" }),
  fc.string({ maxLength: 40 }).map((s) => ({ jsonrpc: "2.0", id: `valid-${i}`, method: "tools/call", params: { name: "echo", arguments: { message: s } } })),
  fc.constantFrom("no/such/method", "tools/list", "prompts/list", "completion/complete").map((m) => ({ jsonrpc: "2.0", id: `valid-${i}`, method: m })),
  fc.constantFrom(...DENIED).map((d) => ({ jsonrpc: "2.0", id: `valid-${i}`, ...d })),
);
const junk = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 40 }), // includes lone surrogates
  fc.record({ jsonrpc: fc.oneof(fc.constant("2.0"), fc.anything()), id: fc.anything({ maxDepth: 2 }), method: fc.anything({ maxDepth: 2 }), params: fc.anything({ maxDepth: 2 }) }, { requiredKeys: [] }).map((o) => JSON.stringify(o) ?? "null"),
  fc.bigInt({ min: 10n ** 20n, max: 10n ** 400n }).map((n) => `{"jsonrpc":"2.0","id":${n},"method":"ping"}`), // ids beyond any number type
  fc.constant('{"jsonrpc":"2.0","id":1e999,"method":"ping"}'),
  fc.constant("[]"),
  fc.integer({ min: 1, max: 50 }).map((n) => `{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":${"[".repeat(n)}${"]".repeat(n)}}}`),
);
const item = fc.oneof({ weight: 3, arbitrary: fc.nat(1000).chain((i) => validRequest(i).map((m) => ({ valid: true as const, m }))) }, { weight: 2, arbitrary: junk.map((t) => ({ valid: false as const, t })) });

function isWellFormedReply(m: Record<string, unknown>): boolean {
  if (m.jsonrpc !== "2.0") return false;
  if (("result" in m) === ("error" in m)) return false;
  if ("error" in m) {
    const e = m.error as Record<string, unknown>;
    return Number.isInteger(e.code) && typeof e.message === "string";
  }
  return typeof m.result === "object" && m.result !== null;
}

describe("fuzz: random and mutated JSON-RPC into the relay", () => {
  it("never throws, answers every request exactly once with a well-formed reply, leaks no pending state, forwards nothing denied", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 25 }), async (items) => {
        const h = await harness();
        const ids = new Map<string, number>();
        items.forEach((it, n) => {
          if (it.valid) {
            // unique ids: a duplicate id while pending is its own (tested) case
            const id = `${it.m.id as string}-${n}`;
            ids.set(id, 0);
            h.relay.fromClient(JSON.stringify({ ...it.m, id }));
          } else h.relay.fromClient(it.t);
        });
        await h.settle();
        for (const m of h.client) if (!("method" in m)) expect(isWellFormedReply(m), JSON.stringify(m)).toBe(true);
        for (const id of ids.keys()) expect(repliesFor(h, id), id).toHaveLength(1);
        for (const line of h.upstream) for (const m of readings(line)) expect(forbidden(m), line).toBe(false);
        expect(h.relay.pendingCount).toBe(0);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it("duplicate ids: the reuse of a pending id is refused once, and the original request still gets its own single answer", async () => {
    const h = await harness();
    h.relay.fromClient('{"jsonrpc":"2.0","id":7,"method":"ping"}');
    h.relay.fromClient('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{}}}');
    await h.settle();
    const r = repliesFor(h, 7);
    expect(r).toHaveLength(2);
    expect(r.filter((m) => (m.error as { code?: number } | undefined)?.code === -32600)).toHaveLength(1);
    expect(r.filter((m) => "result" in m && Object.keys(m.result as object).length === 0)).toHaveLength(1);
    expect(h.upstream.filter((l) => l.includes('"tools/call"'))).toHaveLength(0);
  });

  it("a notification flood (50k) is relayed without replies and without growing pending state", async () => {
    const h = await harness();
    const n = '{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}}';
    for (let i = 0; i < 50_000; i++) h.relay.fromClient(n);
    h.relay.fromClient('{"jsonrpc":"2.0","id":"last","method":"ping"}');
    await h.settle();
    expect(h.client).toEqual([{ jsonrpc: "2.0", id: "last", result: {} }]);
    expect(h.relay.pendingCount).toBe(0);
  });

  it("deeply nested params, arguments and ids (10k levels) are judged or refused, never crash", async () => {
    const deep = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n);
    const h = await harness();
    h.relay.fromClient(`{"jsonrpc":"2.0","id":1,"method":"ping","params":${deep(10_000)}}`);
    h.relay.fromClient(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"secret_admin","arguments":${deep(10_000)}}}`);
    h.relay.fromClient(`{"jsonrpc":"2.0","id":${deep(10_000)},"method":"ping"}`);
    await h.settle();
    expect(repliesFor(h, 1)).toHaveLength(1);
    expect(repliesFor(h, 2)[0]).toMatchObject({ result: { isError: true, _meta: { portcullis: { code: "TOOL_DENIED" } } } });
    expect(repliesFor(h, null)[0]).toMatchObject({ error: { code: -32600 } });
  });

  it("a deeply nested batch (10k levels) from the client is refused, not thrown", async () => {
    const h = await harness();
    expect(() => h.relay.fromClient("[".repeat(10_000) + "]".repeat(10_000))).not.toThrow();
  });

  it("a deeply nested batch (10k levels) from the upstream is dropped as malformed, not thrown", async () => {
    const h = await harness();
    expect(() => h.relay.fromUpstream("[" + "[".repeat(10_000) + "]".repeat(10_000) + "]")).not.toThrow();
  });
});
