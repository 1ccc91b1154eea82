import type { AuditLog } from "../audit/audit-record.js";
import { deny } from "../pipeline/decision.js";
import type { Layer, LayerContext, MaybePromise } from "../pipeline/layer.js";
import { Pipeline, type PipelineOptions } from "../pipeline/pipeline.js";
import type { Outcome } from "../pipeline/run-chain.js";
import type { JsonRpcRequest } from "../protocol/json-rpc.js";
import { toolNameOf } from "../protocol/tool-list.js";

/** What a human (or policy code) is asked to approve: one request some layer put on hold. */
export interface ApprovalRequest {
  /** The guarded server's name (from config). */
  server: string;
  /** The session (one guarded connection). */
  session: string;
  method: string;
  /** For `tools/call`: the tool's name. */
  tool?: string;
  /** For `tools/call`: the arguments the model chose. */
  arguments?: Record<string, unknown>;
  /** Why approval is needed: one entry per layer that held the request. */
  reasons: readonly { layer: string; rule: string; reason: string }[];
}

/**
 * Decides a held request: `true` lets it proceed, anything else (false, a throw, a timeout) refuses
 * it with `APPROVAL_REQUIRED`. The ConfirmationGate of the seed.
 */
export type Approver = (request: ApprovalRequest) => boolean | Promise<boolean>;

/** A Pipeline whose holds are settled by an approver instead of being refused outright. */
export class ApprovingPipeline extends Pipeline {
  constructor(
    layers: readonly Layer[],
    private readonly approver: Approver,
    private readonly audit: AuditLog,
    private readonly serverName: string,
    private readonly approvalTimeoutMs: number,
    options?: PipelineOptions,
  ) {
    super(layers, options);
  }

  override onRequest(req: JsonRpcRequest, ctx: LayerContext): MaybePromise<Outcome> {
    const o = super.onRequest(req, ctx);
    if (o instanceof Promise) return o.then((x) => (x.kind === "hold" ? this.settle(req, ctx, x) : x));
    return o.kind === "hold" ? this.settle(req, ctx, o) : o;
  }

  private async settle(req: JsonRpcRequest, ctx: LayerContext, o: Extract<Outcome, { kind: "hold" }>): Promise<Outcome> {
    const tool = req.method === "tools/call" ? toolNameOf(req.params) : undefined;
    const args = req.params?.arguments;
    const request: ApprovalRequest = {
      server: this.serverName,
      session: ctx.session.id,
      method: req.method,
      tool,
      arguments: typeof args === "object" && args !== null ? (args as Record<string, unknown>) : undefined,
      reasons: o.holds.map((h) => ({ layer: h.layer, rule: h.decision.rule, reason: h.decision.reason })),
    };
    let approved = false;
    let why = "declined";
    try {
      approved = (await withTimeout(Promise.resolve(this.approver(request)), this.approvalTimeoutMs)) === true;
    } catch (e) {
      why = e instanceof TimeoutError ? `not answered within ${this.approvalTimeoutMs / 1000} s` : `the approver failed (${e instanceof Error ? e.message : String(e)})`;
    }
    const first = o.holds[0]!;
    if (approved) {
      this.audit.record({ event: "approval_granted", severity: "medium", session: ctx.session.id, server: this.serverName, method: req.method, tool, decision: "allow", layer: first.layer, rule: first.decision.rule, reason: first.decision.reason });
      return { kind: "allow", message: o.message, changes: o.changes };
    }
    const name = tool ?? req.method;
    return {
      kind: "deny",
      layer: first.layer,
      changes: o.changes,
      decision: deny("APPROVAL_REQUIRED", first.decision.rule, `Portcullis blocked \`${name}\`: it needs approval (${first.decision.reason}) and approval was ${why}. Do not retry it; tell the user what you wanted to do.`, { event: "approval_denied", severity: "medium" }),
    };
  }
}

class TimeoutError extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new TimeoutError()), ms);
    t.unref?.();
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e); });
  });
}
