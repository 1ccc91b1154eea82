import { ALLOW, deny, type Decision } from "../../pipeline/decision.js";
import type { Layer } from "../../pipeline/layer.js";
import { toolNameOf } from "../../protocol/tool-list.js";
import type { RateLimitResult } from "../../store/rate-limit-rule.js";
import type { Store } from "../../store/store.js";
import { rateLimitRules, type ScopedRule } from "./rate-limit-rules.js";

export interface RateLimitLayerOptions {
  /** Where the counters live: SQLite for one process/host, Redis to share limits across gateways. */
  store: Store;
  /** Window of the per-minute limits (tests shorten it); default 60 000 ms. */
  windowMs?: number;
}

/**
 * Rate limits on `tools/call`, per principal, per server + caller and per tool (rate-limit-rules.ts).
 * The store checks and counts atomically (all limits or none), so gateways sharing a Redis enforce
 * one limit. A call counts when this layer admits it, even if a later layer refuses it: the limit
 * is on attempts, which is what keeps an abusive caller cheap. When the store cannot be reached the
 * call is refused (fail closed).
 */
export function createRateLimitLayer(options: RateLimitLayerOptions): Layer {
  const { store } = options;
  const windowMs = options.windowMs ?? 60_000;
  if (!Number.isSafeInteger(windowMs) || windowMs < 1) throw new TypeError(`windowMs must be a positive integer, got ${windowMs}`);
  return {
    name: "rate-limit",
    requestMethods: ["tools/call"],
    onRequest(req, ctx) {
      const tool = toolNameOf(req.params);
      // A bad rule is a bug: let it throw, and the runner denies with LAYER_FAILED.
      const rules: readonly ScopedRule[] = rateLimitRules(ctx.server, ctx.session, tool, windowMs);
      // A store that answers without I/O keeps the whole pipeline synchronous (wrap's hot path).
      if (store.hitSync) {
        let result: RateLimitResult;
        try {
          result = store.hitSync(rules);
        } catch (e) {
          return unavailable(store, e);
        }
        return decide(result, rules, tool, ctx.server.name, windowMs);
      }
      return store.hit(rules).then(
        (result) => decide(result, rules, tool, ctx.server.name, windowMs),
        (e: unknown) => unavailable(store, e),
      );
    },
  };
}

/** The store could not be asked: refuse the call (fail closed). */
function unavailable(store: Store, e: unknown): Decision {
  return deny("STORE_UNAVAILABLE", "store-unavailable", `Portcullis refused the call because rate limits cannot be checked right now (${e instanceof Error ? e.message : String(e)}); retry shortly.`, { severity: "high", event: "store_unavailable", details: { store: store.kind } });
}

function decide(result: RateLimitResult, rules: readonly ScopedRule[], tool: string | undefined, server: string, windowMs: number): Decision {
  if (result.allowed) return ALLOW;
  const rule = rules[result.deniedRule ?? 0]!;
  const per = windowMs === 60_000 ? "minute" : `${windowMs} ms`;
  const what = rule.scope === "principal" ? "for this API key" : rule.scope === "tool" ? `for \`${tool}\` on server \`${server}\`` : `to server \`${server}\``;
  const retryS = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  return deny("RATE_LIMITED", `rate-limit-${rule.scope}`, `Rate limit reached: at most ${rule.limit} call(s) per ${per} ${what}. Retry in ${retryS} s.`, {
    event: "rate_limited",
    severity: "low",
    details: { retryAfterMs: result.retryAfterMs, limit: rule.limit, windowMs, scope: rule.scope },
  });
}
