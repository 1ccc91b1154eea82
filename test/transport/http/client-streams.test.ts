import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { ClientStreams } from "../../../src/transport/http/client-streams.js";
import { UndeliveredAudit } from "../../../src/transport/http/undelivered-audit.js";
import { MemoryAudit } from "../../helpers/memory-audit.js";

/** The part of ServerResponse ClientStreams uses. */
class FakeRes extends EventEmitter {
  headersSent = false;
  status?: number;
  body = "";
  ended = false;
  writeHead(status: number): this {
    this.status = status;
    this.headersSent = true;
    return this;
  }
  write(chunk: string): boolean {
    this.body += chunk;
    return true;
  }
  end(chunk?: string): this {
    if (chunk) this.body += chunk;
    this.ended = true;
    this.emit("close");
    return this;
  }
  get res(): ServerResponse {
    return this as unknown as ServerResponse;
  }
}

describe("ClientStreams: what cannot be delivered goes to onUndeliverable", () => {
  const setup = () => {
    const missed: { msg: Record<string, unknown>; why: string }[] = [];
    return { missed, streams: new ClientStreams("sid", (msg, why) => missed.push({ msg, why })) };
  };

  it("a server request with no GET stream and no pending request that accepts SSE", () => {
    const { missed, streams } = setup();
    const res = new FakeRes();
    streams.expect(1, res.res, false, undefined); // JSON only: cannot carry it
    streams.send({ jsonrpc: "2.0", id: "s1", method: "sampling/createMessage", params: {} });
    expect(missed).toHaveLength(1);
    expect(missed[0]!.why).toMatch(/no GET stream is open and no pending request/);
    expect(res.headersSent).toBe(false);
  });

  it("a server request rides a pending request that accepts SSE, or the GET stream: nothing missed", () => {
    const { missed, streams } = setup();
    const res = new FakeRes();
    streams.expect(1, res.res, true, undefined);
    streams.send({ jsonrpc: "2.0", id: "s1", method: "sampling/createMessage", params: {} });
    expect(res.body).toContain("sampling/createMessage");
    const get = new FakeRes();
    streams.openStream(get.res);
    streams.send({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
    expect(get.body).toContain("list_changed");
    expect(missed).toHaveLength(0);
  });

  it("notifications without a GET stream, and replies nobody waits for", () => {
    const { missed, streams } = setup();
    streams.send({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: "x" } });
    streams.send({ jsonrpc: "2.0", id: 9, result: {} });
    streams.send({ jsonrpc: "2.0", id: null, error: { code: -1, message: "x" } });
    expect(missed.map((m) => m.why)).toEqual(["no GET stream is open", "the client is no longer waiting for it (id 9)", "the client is no longer waiting for it (id null)"]);
  });

  it("a reply whose client left (its response closed)", () => {
    const { missed, streams } = setup();
    const res = new FakeRes();
    streams.expect(4, res.res, false, undefined);
    res.emit("close");
    streams.send({ jsonrpc: "2.0", id: 4, result: {} });
    expect(missed).toHaveLength(1);
  });
});

describe("UndeliveredAudit: rate-bounded, counted, flushed", () => {
  it("one line per method per window, the count on the next line or at flush", () => {
    const audit = new MemoryAudit();
    let now = 0;
    const u = new UndeliveredAudit((e) => audit.record(e), 60_000, () => now);
    for (let i = 0; i < 100; i++) u.note("notifications/message", "no GET stream is open");
    u.note("notifications/tools/list_changed", "no GET stream is open");
    expect(audit.entries).toHaveLength(2);
    expect(audit.entries[0]).toMatchObject({ event: "server_message_undelivered", severity: "info", method: "notifications/message", decision: "deny", layer: "gateway" });
    now = 61_000;
    u.note("notifications/message", "no GET stream is open");
    expect(audit.entries).toHaveLength(3);
    expect(audit.entries[2]).toMatchObject({ method: "notifications/message", details: { suppressed: 99 } });
    u.note("notifications/message", "again");
    u.flush();
    expect(audit.entries).toHaveLength(4);
    expect(audit.entries[3]).toMatchObject({ method: "notifications/message", details: { suppressed: 1 } });
    u.flush(); // nothing left
    expect(audit.entries).toHaveLength(4);
  });

  it("a server inventing method names shares one key beyond 64 methods", () => {
    const audit = new MemoryAudit();
    const u = new UndeliveredAudit((e) => audit.record(e), 60_000, () => 0);
    for (let i = 0; i < 1000; i++) u.note(`x/${i}`, "no GET stream is open");
    expect(audit.entries).toHaveLength(65);
    u.flush();
    expect(audit.entries.at(-1)).toMatchObject({ method: "(other methods)", details: { suppressed: 935 } });
  });
});
