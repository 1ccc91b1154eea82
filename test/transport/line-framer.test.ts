import { describe, expect, it } from "vitest";
import { LineFramer, recoverId } from "../../src/transport/line-framer.js";

function collect(max: number) {
  const events: string[] = [];
  const f = new LineFramer(max, {
    line: (t) => events.push(`line:${t}`),
    oversize: (h, t, n) => events.push(`big:${n}:${recoverId(h, t)}`),
    invalidUtf8: (_h, n) => events.push(`utf8:${n}`),
  });
  return { f, events };
}

describe("LineFramer", () => {
  it("joins lines split across chunks and strips CRLF", () => {
    const { f, events } = collect(100);
    f.push(Buffer.from('{"a":'));
    f.push(Buffer.from('1}\r\n{"b":2}\n\n'));
    expect(events).toEqual(['line:{"a":1}', 'line:{"b":2}']);
  });

  it("does not split a multi-byte character cut between chunks", () => {
    const { f, events } = collect(100);
    const bytes = Buffer.from('"é"\n');
    f.push(bytes.subarray(0, 2));
    f.push(bytes.subarray(2));
    expect(events).toEqual(['line:"é"']);
  });

  it("discards an oversized line without buffering it, keeps serving, and recovers the id", () => {
    const { f, events } = collect(1000);
    const big = `{"jsonrpc":"2.0","method":"x","params":{"d":"${"a".repeat(50_000)}"},"id":77}`;
    for (let i = 0; i < big.length; i += 333) f.push(Buffer.from(big.slice(i, i + 333)));
    f.push(Buffer.from('\n{"ok":1}\n'));
    expect(events).toEqual([`big:${big.length}:77`, 'line:{"ok":1}']);
  });

  it("reports invalid UTF-8 instead of decoding it", () => {
    const { f, events } = collect(100);
    f.push(Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]));
    f.push(Buffer.from("{}\n"));
    expect(events).toEqual(["utf8:4", "line:{}"]);
  });

  it("emits a final unterminated line at end of stream", () => {
    const { f, events } = collect(100);
    f.push(Buffer.from("{}"));
    f.end();
    expect(events).toEqual(["line:{}"]);
  });
});

describe("recoverId", () => {
  it("prefers the last id in the tail, then a leading id in the head", () => {
    expect(recoverId('{"id":"abc","method":"x"', "garbage")).toBe("abc");
    expect(recoverId("{...", '..."nested":{"id":5}},"id":9}')).toBe(9);
    expect(recoverId("{...", "...")).toBeNull();
  });
});
