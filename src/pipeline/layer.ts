import type { ServerPolicy } from "../config/server-policy.js";
import type { JsonRpcNotification, JsonRpcRequest, JsonRpcResponse } from "../protocol/json-rpc.js";
import type { Decision } from "./decision.js";
import type { SessionState } from "./session-state.js";

/** What every layer sees besides the message: the server's effective policy and the session. */
export interface LayerContext {
  readonly server: ServerPolicy;
  readonly session: SessionState;
}

export type MaybePromise<T> = T | Promise<T>;

/**
 * A security layer. Built by a `createX(options)` factory that validates its options up front.
 * Decisions are pure functions of (message, policy, state); the relay enforces and audits them.
 * A layer that throws, rejects or times out denies (fail closed).
 *
 * The method lists let the runner skip layers entirely for messages they do not inspect, which is
 * what keeps the relay close to a bare pipe in speed. Use "*" for every method.
 */
export interface Layer {
  readonly name: string;
  /** Client -> upstream request methods inspected by `onRequest`. */
  readonly requestMethods?: readonly string[];
  /** Methods whose upstream replies are inspected by `onResponse`. */
  readonly responseMethods?: readonly string[];
  /** Upstream -> client requests and notifications inspected by `onServerMessage` (sampling, logging, ...). */
  readonly serverMessageMethods?: readonly string[];

  onRequest?(req: JsonRpcRequest, ctx: LayerContext): MaybePromise<Decision>;
  onResponse?(res: JsonRpcResponse, req: JsonRpcRequest, ctx: LayerContext): MaybePromise<Decision>;
  onServerMessage?(msg: JsonRpcRequest | JsonRpcNotification, ctx: LayerContext): MaybePromise<Decision>;
  /** The request passed every layer and went upstream: record state (counters) here, not in decisions. */
  onForwarded?(req: JsonRpcRequest, ctx: LayerContext): void;
}
