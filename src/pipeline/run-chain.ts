import type { Decision, DenyDecision, HoldDecision, ModifyDecision } from "./decision.js";
import { deny } from "./decision.js";
import type { Layer, MaybePromise } from "./layer.js";

export interface LayerChange {
  layer: string;
  decision: ModifyDecision;
}

/** The combined verdict of a chain of layers on one message. */
export type Outcome =
  | { kind: "allow"; message?: Record<string, unknown>; changes: LayerChange[] }
  | { kind: "hold"; message?: Record<string, unknown>; changes: LayerChange[]; holds: { layer: string; decision: HoldDecision }[] }
  | { kind: "deny"; layer: string; decision: DenyDecision; changes: LayerChange[] };

export type Invoke = (layer: Layer, message: Record<string, unknown>) => MaybePromise<Decision>;

/**
 * Runs layers in order over one message. The first deny stops the chain (deny beats everything);
 * modifications feed the next layer; holds are collected so a later deny still wins over them.
 * Stays synchronous while every layer answers synchronously: the common case costs no promise.
 * A layer that throws, rejects, times out or returns garbage denies (fail closed).
 */
export function runChain(layers: readonly Layer[], message: Record<string, unknown>, invoke: Invoke, timeoutMs: number): MaybePromise<Outcome> {
  const state: ChainState = { message, modified: false, changes: [], holds: [] };
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    let d: MaybePromise<Decision>;
    try {
      d = invoke(layer, state.message);
    } catch (e) {
      return failed(layer, e, state);
    }
    if (isThenable(d)) return continueAsync(layers, i, d, state, invoke, timeoutMs);
    const end = apply(layer, d, state);
    if (end) return end;
  }
  return finish(state);
}

interface ChainState {
  message: Record<string, unknown>;
  modified: boolean;
  changes: LayerChange[];
  holds: { layer: string; decision: HoldDecision }[];
}

async function continueAsync(layers: readonly Layer[], at: number, pending: Promise<Decision>, state: ChainState, invoke: Invoke, timeoutMs: number): Promise<Outcome> {
  for (let i = at; i < layers.length; i++) {
    const layer = layers[i]!;
    let d: Decision;
    try {
      d = await withTimeout(i === at ? pending : Promise.resolve().then(() => invoke(layer, state.message)), timeoutMs, layer.name);
    } catch (e) {
      return failed(layer, e, state);
    }
    const end = apply(layer, d, state);
    if (end) return end;
  }
  return finish(state);
}

function apply(layer: Layer, d: Decision, state: ChainState): Outcome | undefined {
  switch (d?.kind) {
    case "allow":
      return undefined;
    case "modify":
      state.message = d.message;
      state.modified = true;
      state.changes.push({ layer: layer.name, decision: d });
      return undefined;
    case "hold":
      state.holds.push({ layer: layer.name, decision: d });
      return undefined;
    case "deny":
      return { kind: "deny", layer: layer.name, decision: d, changes: state.changes };
    default:
      return failed(layer, new Error(`returned ${JSON.stringify(d)} instead of a decision`), state);
  }
}

function finish(state: ChainState): Outcome {
  const message = state.modified ? state.message : undefined;
  if (state.holds.length > 0) return { kind: "hold", message, changes: state.changes, holds: state.holds };
  return { kind: "allow", message, changes: state.changes };
}

function failed(layer: Layer, e: unknown, state: ChainState): Outcome {
  const why = e instanceof Error ? e.message : String(e);
  return {
    kind: "deny",
    layer: layer.name,
    decision: deny("LAYER_FAILED", "fail-closed", `Security layer "${layer.name}" failed (${why}); the message was blocked rather than passed unchecked.`, { severity: "high", event: "layer_error" }),
    changes: state.changes,
  };
}

function isThenable(v: unknown): v is Promise<Decision> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    t.unref?.();
    p.then(
      (v) => { clearTimeout(t); resolve(v); },
      (e: unknown) => { clearTimeout(t); reject(e instanceof Error ? e : new Error(`${name}: ${String(e)}`)); },
    );
  });
}
