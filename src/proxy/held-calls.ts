import { idKey, type JsonRpcId, type JsonRpcRequest, type JsonRpcResponse } from "../protocol/json-rpc.js";

/**
 * Client requests waiting for a person (held for approval), and the requests the relay itself sent
 * to the client to ask (elicitation/create), keyed by JSON-RPC id. Empty unless a hold happened,
 * so the relay's fast path checks only `size` / `asks`.
 */
export class HeldCalls {
  private readonly calls = new Map<string, { req: JsonRpcRequest; ac: AbortController }>();
  private readonly questions = new Map<string, (res: JsonRpcResponse | undefined) => void>();

  get size(): number {
    return this.calls.size;
  }

  get asks(): number {
    return this.questions.size;
  }

  has(id: JsonRpcId): boolean {
    return this.calls.has(idKey(id));
  }

  /** Holds a request; the signal aborts when the client cancels it or the upstream goes away. */
  hold(req: JsonRpcRequest): AbortSignal {
    const ac = new AbortController();
    this.calls.set(idKey(req.id), { req, ac });
    return ac.signal;
  }

  /** True when the request was still held (the caller must answer it); false when already answered. */
  release(id: JsonRpcId): boolean {
    return this.calls.delete(idKey(id));
  }

  /** The client cancelled a held request: stop waiting and never answer it. */
  cancel(id: JsonRpcId): void {
    const k = idKey(id);
    const c = this.calls.get(k);
    if (!c) return;
    this.calls.delete(k);
    c.ac.abort();
  }

  /** Every held request (the upstream is gone): the caller answers them. */
  drain(): JsonRpcRequest[] {
    const all = [...this.calls.values()];
    this.calls.clear();
    for (const c of all) c.ac.abort();
    return all.map((c) => c.req);
  }

  /** Registers a question to the client; returns `forget`, true if it was still open. */
  ask(id: string, onAnswer: (res: JsonRpcResponse | undefined) => void): () => boolean {
    this.questions.set(id, onAnswer);
    return () => this.questions.delete(id);
  }

  /** A client response: true when it answered one of our questions (and must not go upstream). */
  answer(res: JsonRpcResponse): boolean {
    if (typeof res.id !== "string") return false;
    const f = this.questions.get(res.id);
    if (!f) return false;
    this.questions.delete(res.id);
    f(res);
    return true;
  }
}
