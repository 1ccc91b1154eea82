import path from "node:path";
import type { ServerPolicy } from "../config/server-policy.js";
import type { Layer } from "../pipeline/layer.js";
import { createArgumentsLayer } from "./arguments/arguments-layer.js";
import { createCallCapsLayer } from "./call-caps/call-caps-layer.js";
import { createDescriptionReviewLayer } from "./description-review/description-review-layer.js";
import { createInjectionLayer } from "./injection/injection-layer.js";
import { createMethodPolicyLayer } from "./method-policy/method-policy-layer.js";
import { createPinsLayer } from "./pins/pins-layer.js";
import { createRedactionLayer } from "./redaction/redaction-layer.js";
import { createServerTrustLayer } from "./server-trust/server-trust-layer.js";
import { createToolPolicyLayer } from "./tool-policy/tool-policy-layer.js";
import { createScopeLayer } from "./identity/identity-layer.js";
import { createRateLimitLayer } from "./rate-limit/rate-limit-layer.js";
import type { Store } from "../store/store.js";

/** What layers may need besides the policy. */
export interface LayerDeps {
  /** Absolute path of the state directory (`.portcullis/` beside the config). */
  stateDir: string;
  /** Shared state (SQLite or Redis): enables rate limits. */
  store?: Store;
  /** The transport authenticates callers (serve with API keys): enables per-scope tool filtering. */
  authenticated?: boolean;
}

/**
 * The layers every guarded server gets. Later layers (injection, redaction, pins, approval, rate
 * limits, auth) are added here: the relay takes whatever list it is given.
 */
export function defaultLayers(server: ServerPolicy, deps: LayerDeps): Layer[] {
  const layers = [createToolPolicyLayer(), createServerTrustLayer(), createArgumentsLayer(), createCallCapsLayer(), createDescriptionReviewLayer(), createPinsLayer({ lockFile: path.join(deps.stateDir, "pins.lock.json") }), createInjectionLayer(), createRedactionLayer()];
  // Only when configured: a "*" layer puts every request through the pipeline.
  if (server.methods.deny.length > 0) layers.push(createMethodPolicyLayer());
  if (deps.authenticated) layers.push(createScopeLayer());
  if (deps.store) layers.push(createRateLimitLayer({ store: deps.store }));
  return layers;
}
