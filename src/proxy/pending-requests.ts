import { idKey, type JsonRpcId, type JsonRpcRequest, type JsonRpcResponse } from "../protocol/json-rpc.js";

export interface PendingRequest {
  id: JsonRpcId;
  req: JsonRpcRequest;
  started: number;
  timer: NodeJS.Timeout;
  /** Set for requests Portcullis itself sent upstream (catalog fetches): the reply goes here, not to the client. */
  internal?: (res: JsonRpcResponse | undefined) => void;
}

/** Requests sent upstream and not yet answered, keyed by JSON-RPC id (1 and "1" differ). */
export class PendingRequests {
  private readonly map = new Map<string, PendingRequest>();

  has(id: JsonRpcId): boolean {
    return this.map.has(idKey(id));
  }

  add(p: PendingRequest): void {
    this.map.set(idKey(p.id), p);
  }

  /** Removes and returns the entry, stopping its timer. */
  take(id: JsonRpcId): PendingRequest | undefined {
    const k = idKey(id);
    const p = this.map.get(k);
    if (p) {
      clearTimeout(p.timer);
      this.map.delete(k);
    }
    return p;
  }

  /** Removes every entry (upstream gone) and returns them. */
  drain(): PendingRequest[] {
    const all = [...this.map.values()];
    for (const p of all) clearTimeout(p.timer);
    this.map.clear();
    return all;
  }

  get size(): number {
    return this.map.size;
  }
}
