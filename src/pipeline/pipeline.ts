import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from "../protocol/json-rpc.js";
import type { Layer, LayerContext, MaybePromise } from "./layer.js";
import { orderBy, REQUEST_ORDER, RESPONSE_ORDER } from "./layer-order.js";
import { runChain, type Outcome } from "./run-chain.js";

export interface PipelineOptions {
  /** How long an asynchronous layer may take before it counts as failed (and denies). */
  layerTimeoutMs?: number;
}

/**
 * An ordered set of layers with per-method dispatch tables, so a message no layer inspects costs
 * one map lookup. Adding a layer means passing one more object here; the relay never changes.
 */
export class Pipeline {
  readonly layers: readonly Layer[];
  private readonly timeoutMs: number;
  private readonly requestTable = new Map<string, Layer[]>();
  private readonly responseTable = new Map<string, Layer[]>();
  private readonly serverTable = new Map<string, Layer[]>();

  constructor(layers: readonly Layer[], options: PipelineOptions = {}) {
    const names = new Set<string>();
    for (const l of layers) {
      if (names.has(l.name)) throw new Error(`two layers are named "${l.name}"; layer names must be unique`);
      names.add(l.name);
    }
    this.layers = layers;
    this.timeoutMs = options.layerTimeoutMs ?? 2000;
  }

  requestLayers(method: string): Layer[] {
    return lookup(this.requestTable, method, () => this.layers.filter((l) => l.onRequest && matches(l.requestMethods, method)).sort(orderBy(REQUEST_ORDER)));
  }

  responseLayers(method: string): Layer[] {
    return lookup(this.responseTable, method, () => this.layers.filter((l) => l.onResponse && matches(l.responseMethods, method)).sort(orderBy(RESPONSE_ORDER)));
  }

  serverMessageLayers(method: string): Layer[] {
    return lookup(this.serverTable, method, () => this.layers.filter((l) => l.onServerMessage && matches(l.serverMessageMethods, method)).sort(orderBy(RESPONSE_ORDER)));
  }

  inspectsRequest(method: string): boolean {
    return this.requestLayers(method).length > 0;
  }

  inspectsResponse(method: string): boolean {
    return this.responseLayers(method).length > 0;
  }

  onRequest(req: JsonRpcRequest, ctx: LayerContext): MaybePromise<Outcome> {
    return runChain(this.requestLayers(req.method), req as unknown as Record<string, unknown>, (l, m) => l.onRequest!(m as unknown as JsonRpcRequest, ctx), this.timeoutMs);
  }

  onResponse(res: JsonRpcResponse, req: JsonRpcRequest, ctx: LayerContext): MaybePromise<Outcome> {
    return runChain(this.responseLayers(req.method), res as unknown as Record<string, unknown>, (l, m) => l.onResponse!(m as unknown as JsonRpcResponse, req, ctx), this.timeoutMs);
  }

  onServerMessage(msg: JsonRpcRequest | JsonRpcNotification, ctx: LayerContext): MaybePromise<Outcome> {
    return runChain(this.serverMessageLayers(msg.method), msg as unknown as Record<string, unknown>, (l, m) => l.onServerMessage!(m as unknown as JsonRpcRequest, ctx), this.timeoutMs);
  }

  /** Tells layers that a request passed them all and was sent upstream. */
  forwarded(req: JsonRpcRequest, ctx: LayerContext): void {
    for (const l of this.requestLayers(req.method)) l.onForwarded?.(req, ctx);
  }
}

function matches(methods: readonly string[] | undefined, method: string): boolean {
  return methods === undefined || methods.includes("*") || methods.includes(method);
}

function lookup(table: Map<string, Layer[]>, method: string, build: () => Layer[]): Layer[] {
  let v = table.get(method);
  if (!v) {
    v = build();
    // Bound the table: unknown methods from a hostile peer must not grow memory without limit.
    if (table.size < 1024) table.set(method, v);
  }
  return v;
}
