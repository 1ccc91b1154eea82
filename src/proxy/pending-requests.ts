import type { JsonRpcId, JsonRpcRequest, JsonRpcResponse } from "../protocol/json-rpc.js";

const REARM_MIN_MS = 5;

export interface PendingRequest {
  id: JsonRpcId;
  req: JsonRpcRequest;
  /** `performance.now()` when it was sent. */
  started: number;
  /** `performance.now()` from which it counts as timed out. */
  deadline: number;
  /** Set for requests Portcullis itself sent upstream (catalog fetches): the reply goes here, not to the client. */
  internal?: (res: JsonRpcResponse | undefined) => void;
}

/**
 * Requests sent upstream and not yet answered, keyed by JSON-RPC id (1 and "1" differ: a Map tells
 * a number from a string). Deadlines share one timer, armed for the earliest of them, instead of a
 * timer per request: a request still times out at its own deadline, but an answered one costs no
 * timer work at all. `onTimeout` gets each request whose deadline passed, already removed.
 */
export class PendingRequests {
  private readonly map = new Map<JsonRpcId, PendingRequest>();
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  constructor(private readonly onTimeout: (p: PendingRequest) => void) {}

  has(id: JsonRpcId): boolean {
    return this.map.has(id);
  }

  add(p: PendingRequest): void {
    this.map.set(p.id, p);
    if (p.deadline < this.armedFor) this.arm(p.deadline);
  }

  /** Removes and returns the entry. (The shared timer stays armed; when it fires it re-arms for what is left.) */
  take(id: JsonRpcId): PendingRequest | undefined {
    const p = this.map.get(id);
    if (p) this.map.delete(id);
    return p;
  }

  /** Removes every entry (upstream gone) and returns them. */
  drain(): PendingRequest[] {
    const all = [...this.map.values()];
    this.map.clear();
    this.disarm();
    return all;
  }

  get size(): number {
    return this.map.size;
  }

  private arm(deadline: number): void {
    this.disarm();
    this.armedFor = deadline;
    this.timer = setTimeout(() => this.expire(), Math.max(0, deadline - performance.now()));
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  /** Times out every request whose deadline passed (earliest first, then in the order sent), then re-arms for the next. */
  private expire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = performance.now();
    const due: PendingRequest[] = [];
    let next = Infinity;
    for (const p of this.map.values()) {
      if (p.deadline <= now) due.push(p);
      else if (p.deadline < next) next = p.deadline;
    }
    if (due.length > 1) due.sort((a, b) => a.deadline - b.deadline); // stable: ties stay in send order
    for (const p of due) this.map.delete(p.id);
    // Re-armed no sooner than a few ms ahead: requests sent in a burst then expire together, and
    // thousands of them timing out one by one cannot turn into one scan of the map each.
    if (next !== Infinity) this.arm(Math.max(next, now + REARM_MIN_MS));
    for (const p of due) this.onTimeout(p);
  }
}
