import { afterEach, describe, expect, it, vi } from "vitest";
import { PendingRequests, type PendingRequest } from "../../src/proxy/pending-requests.js";

afterEach(() => vi.useRealTimers());

function setup() {
  const timedOut: (string | number)[] = [];
  const pending = new PendingRequests((p) => timedOut.push(p.id));
  const add = (id: string | number, timeoutMs: number) => {
    const started = performance.now();
    const p: PendingRequest = { id, req: { jsonrpc: "2.0", id, method: "ping" }, started, deadline: started + timeoutMs };
    pending.add(p);
  };
  return { pending, timedOut, add };
}

describe("PendingRequests", () => {
  it("keeps 1 and \"1\" apart", () => {
    const { pending, add } = setup();
    add(1, 1000);
    expect(pending.has(1)).toBe(true);
    expect(pending.has("1")).toBe(false);
    add("1", 1000);
    expect(pending.take("1")?.id).toBe("1");
    expect(pending.take(1)?.id).toBe(1);
    expect(pending.size).toBe(0);
  });

  it("times each request out at its own deadline, with one timer for all of them", () => {
    vi.useFakeTimers();
    const { pending, timedOut, add } = setup();
    add("a", 1000);
    vi.advanceTimersByTime(300);
    add("b", 1000);
    add("c", 1000);
    vi.advanceTimersByTime(300);
    add("d", 300); // due at 900, before the others: the timer moves earlier
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(299);
    expect(timedOut).toEqual([]);
    vi.advanceTimersByTime(1); // t = 900
    expect(timedOut).toEqual(["d"]);
    vi.advanceTimersByTime(100); // t = 1000
    expect(timedOut).toEqual(["d", "a"]);
    expect(pending.take("b")?.id).toBe("b"); // answered: never times out
    vi.advanceTimersByTime(299);
    expect(timedOut).toEqual(["d", "a"]);
    vi.advanceTimersByTime(1); // t = 1300
    expect(timedOut).toEqual(["d", "a", "c"]);
    expect(pending.size).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(timedOut).toEqual(["d", "a", "c"]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("drain returns everything and stops the timer", () => {
    vi.useFakeTimers();
    const { pending, timedOut, add } = setup();
    add(1, 1000);
    add(2, 1000);
    expect(pending.drain().map((p) => p.id)).toEqual([1, 2]);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(timedOut).toEqual([]);
  });

  it("a request added from a timeout handler gets its own deadline", () => {
    vi.useFakeTimers();
    const timedOut: (string | number)[] = [];
    const pending: PendingRequests = new PendingRequests((p) => {
      timedOut.push(p.id);
      if (p.id === "first") {
        const started = performance.now();
        pending.add({ id: "retry", req: { jsonrpc: "2.0", id: "retry", method: "ping" }, started, deadline: started + 200 });
      }
    });
    const started = performance.now();
    pending.add({ id: "first", req: { jsonrpc: "2.0", id: "first", method: "ping" }, started, deadline: started + 100 });
    vi.advanceTimersByTime(100);
    expect(timedOut).toEqual(["first"]);
    vi.advanceTimersByTime(199);
    expect(timedOut).toEqual(["first"]);
    vi.advanceTimersByTime(1);
    expect(timedOut).toEqual(["first", "retry"]);
  });
});
