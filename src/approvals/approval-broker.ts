import type { AuditEntry, AuditLog } from "../audit/audit-record.js";
import type { ServerPolicy } from "../config/server-policy.js";
import { redactValue } from "../layers/redaction/redact-value.js";
import type { ApprovalRecord } from "./approval-record.js";
import { argsHash } from "./approval-record.js";
import type { ApprovalStore } from "./approval-store.js";
import { APPROVAL_DEFAULTS, sessionGrantLimitOf, type ApprovalsSettings } from "./approvals-config.js";
import { approvalForm, readElicitAnswer } from "./elicitation-form.js";
import { signState, verifyState } from "./request-state.js";
import { sendWebhook } from "./webhook.js";

/** One `tools/call` some layer put on hold, as the relay hands it over. */
export interface HeldCall {
  session: string;
  server: ServerPolicy;
  caller?: string;
  tool: string;
  arguments: unknown;
  /** The request's params (modern retries carry `inputResponses` and `requestState` here). */
  params: Record<string, unknown>;
  /** The first hold: which layer and rule, and why. */
  layer: string;
  rule: string;
  reason: string;
}

/** What the relay can do to reach the person behind the client. */
export interface ClientReach {
  /** 2025-11-25: send `elicitation/create` to the client; resolves with its result, or undefined on error. */
  elicit?: (params: Record<string, unknown>, signal: AbortSignal) => Promise<Record<string, unknown> | undefined>;
  /** 2026-07-28: the request declared the elicitation capability, so an input_required result works. */
  inputRequired?: boolean;
}

export type Settlement =
  | { kind: "approved"; approvalId: string; decidedBy: string }
  | { kind: "denied"; approvalId?: string; rule: string; reason: string; code?: "APPROVAL_REQUIRED" | "STORE_UNAVAILABLE" }
  /** 2026-07-28: answer with this `input_required` result; the client retries with the answer. */
  | { kind: "input_required"; approvalId: string; result: Record<string, unknown> };

export interface ApprovalBrokerOptions {
  store: ApprovalStore;
  audit: AuditLog;
  /** HMAC secret for `requestState` (approvalSecret(store) shares it across instances). */
  secret: Buffer;
  settings?: Partial<ApprovalsSettings>;
  /** True when this process serves the approval page (the `web` channel is available). */
  webPage?: boolean;
  log?: (line: string) => void;
  now?: () => number;
}

/**
 * Settles held calls with a person (the ConfirmationGate of the seed; the gate lives in the
 * gateway, not in the model). For each held call: use a matching grant if one exists (approve,
 * then retry), else record a request (`approval_requested`), try the configured channels in order
 * (elicitation back to the client, or the store-backed web page / CLI / webhook), wait up to the
 * timeout, and deny what nobody answered, naming the approval id.
 */
export class ApprovalBroker {
  readonly settings: ApprovalsSettings;
  readonly store: ApprovalStore;
  private readonly audit: AuditLog;
  private readonly secret: Buffer;
  private readonly webPage: boolean;
  private readonly log: (line: string) => void;
  private readonly now: () => number;

  constructor(opts: ApprovalBrokerOptions) {
    // Unless told otherwise, a call with no channel waits as long as one with a channel would.
    const timeoutMs = opts.settings?.timeoutMs ?? APPROVAL_DEFAULTS.timeoutMs;
    this.settings = { ...APPROVAL_DEFAULTS, ...opts.settings, timeoutMs, noChannelWaitMs: opts.settings?.noChannelWaitMs ?? timeoutMs };
    this.store = opts.store;
    this.audit = opts.audit;
    this.secret = opts.secret;
    this.webPage = opts.webPage ?? false;
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? Date.now;
  }

  async settle(call: HeldCall, reach: ClientReach, signal?: AbortSignal): Promise<Settlement> {
    try {
      return await this.settleInner(call, reach, signal);
    } catch (e) {
      this.log(`approval failed: ${(e as Error).message}`);
      return { kind: "denied", rule: call.rule, code: "STORE_UNAVAILABLE", reason: `Portcullis blocked \`${call.tool}\`: it needs approval and the approval store is unavailable (${(e as Error).message}); retry shortly.` };
    }
  }

  private async settleInner(call: HeldCall, reach: ClientReach, signal?: AbortSignal): Promise<Settlement> {
    const hash = argsHash(call.arguments);
    const s = this.settings;

    // A 2026-07-28 retry answering our input_required result.
    if (call.params.requestState !== undefined || call.params.inputResponses !== undefined) {
      const answered = await this.modernRetry(call, hash);
      if (answered) return answered;
    }

    // Approve, then retry: a grant for exactly this call (or for this tool in this session).
    const grant = await this.store.consume(call.session, call.server.name, call.tool, hash);
    if (grant) return this.used(call, grant.id, grant.decidedBy);

    const preview = previewOf(call.arguments, call.server);
    const rec = await this.store.create({ session: call.session, server: call.server.name, tool: call.tool, argsHash: hash, argsPreview: preview, reason: call.reason, rule: call.rule, layer: call.layer, caller: call.caller }, s.ttlMs);
    this.record(call, { event: "approval_requested", severity: "medium", decision: "hold", rule: call.rule, reason: call.reason, details: { approvalId: rec.id, expiresAt: rec.expiresAt, channels: [...s.channels] } });
    this.watchExpiry(rec);

    let storeChannel = false;
    for (const ch of s.channels) {
      if (ch === "elicitation") {
        if (reach.inputRequired) {
          const form = approvalForm(rec, sessionGrantLimitOf(call.server, call.tool, s.sessionGrantMax));
          const requestState = signState({ a: rec.id, s: call.session, t: call.tool, h: hash, e: Date.parse(rec.expiresAt) }, this.secret);
          return { kind: "input_required", approvalId: rec.id, result: { resultType: "input_required", inputRequests: { approval: { method: "elicitation/create", params: form } }, requestState } };
        }
        if (reach.elicit) {
          const answer = await this.elicitLegacy(rec, call, reach.elicit, signal);
          if (answer) return answer;
        }
      } else if (ch === "web") {
        if (this.webPage) storeChannel = true;
      } else if (ch === "cli") {
        storeChannel = true;
      } else if (ch === "webhook" && s.webhook) {
        storeChannel = true;
        sendWebhook(s.webhook, rec, this.pageUrl(rec.id)).catch((e: unknown) => this.log(`approval webhook failed: ${(e as Error).message}`));
      }
    }
    const waitMs = storeChannel ? s.timeoutMs : s.noChannelWaitMs;
    // Nothing will tell the user about this call, so tell whoever reads the log how to let it through.
    if (waitMs > 0) this.log(`\`${call.tool}\` on ${call.server.name} waits up to ${Math.round(waitMs / 1000)} s for approval ${rec.id}: run \`portcullis approvals approve ${rec.id}\`${storeChannel ? " or use the approval page" : ""}`);
    const r = await this.store.wait(rec.id, this.now() + waitMs, signal);
    return this.outcome(call, rec, r, hash, storeChannel, waitMs);
  }

  private async outcome(call: HeldCall, rec: ApprovalRecord, r: ApprovalRecord | undefined, hash: string, hadChannel: boolean, waitedMs = this.settings.timeoutMs): Promise<Settlement> {
    if (r?.status === "approved") {
      const g = await this.store.consume(call.session, call.server.name, call.tool, hash);
      if (g) return this.used(call, g.id, g.decidedBy);
      return { kind: "denied", approvalId: rec.id, rule: call.rule, reason: `Portcullis blocked \`${call.tool}\`: approval ${rec.id} was already used by another call.` };
    }
    if (r?.status === "denied") return this.deniedBy(call, r);
    const where = [`\`portcullis approvals approve ${rec.id}\``];
    const page = this.pageUrl(rec.id);
    if (page) where.push(page);
    const waited = waitedMs > 0 ? ` and nobody ${hadChannel ? "answered" : "approved it"} within ${waitedMs < 1000 ? `${waitedMs} ms` : `${Math.round(waitedMs / 1000)} s`}` : "";
    return {
      kind: "denied", approvalId: rec.id, rule: call.rule,
      reason: `Portcullis blocked \`${call.tool}\`: needs approval (id ${rec.id}): ${call.reason}${waited}. Ask the user to approve it (${where.join(" or ")}), then retry the same call with the same arguments within ${Math.round(this.settings.ttlMs / 60_000)} min.`,
    };
  }

  private deniedBy(call: HeldCall, r: ApprovalRecord): Settlement {
    return {
      kind: "denied", approvalId: r.id, rule: call.rule,
      reason: `Portcullis blocked \`${call.tool}\`: approval ${r.id} was denied by ${r.decidedBy ?? "a person"}${r.decisionReason ? ` (${r.decisionReason})` : ""}. Do not retry it; tell the user what you wanted to do.`,
    };
  }

  private used(call: HeldCall, id: string, decidedBy: string): Settlement {
    this.record(call, { event: "approval_used", severity: "info", decision: "allow", rule: call.rule, reason: `approval ${id} (by ${decidedBy}) used for this call`, details: { approvalId: id, decidedBy } });
    return { kind: "approved", approvalId: id, decidedBy };
  }

  private async elicitLegacy(rec: ApprovalRecord, call: HeldCall, elicit: NonNullable<ClientReach["elicit"]>, signal?: AbortSignal): Promise<Settlement | undefined> {
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => ac.abort(), this.settings.timeoutMs);
    timer.unref?.();
    const stop = new Promise<undefined>((resolve) => ac.signal.addEventListener("abort", () => resolve(undefined), { once: true }));
    let result: Record<string, unknown> | undefined;
    try {
      result = await Promise.race([elicit(approvalForm(rec, sessionGrantLimitOf(call.server, call.tool, this.settings.sessionGrantMax)), ac.signal), stop]);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      ac.abort();
    }
    if (!result) return undefined; // no answer: fall through to the next channel / the store
    return this.applyAnswer(call, rec.id, result, "elicitation");
  }

  /** Turns an elicitation answer into a decision on the stored request, then settles the call. */
  private async applyAnswer(call: HeldCall, id: string, result: unknown, by: string): Promise<Settlement> {
    const a = readElicitAnswer(result, sessionGrantLimitOf(call.server, call.tool, this.settings.sessionGrantMax));
    const d = await this.store.decide(id, { approve: a.approve, by: `${by}:client`, reason: a.why, forSession: a.forSession });
    if (d.ok) this.auditDecision(d.record);
    const rec = d.record ?? (await this.store.get(id));
    if (!rec) return { kind: "denied", approvalId: id, rule: call.rule, reason: `Portcullis blocked \`${call.tool}\`: approval ${id} is unknown or expired; retry the call to ask again.` };
    if (!d.ok && d.why === "expired") return { kind: "denied", approvalId: id, rule: call.rule, reason: `Portcullis blocked \`${call.tool}\`: approval ${id} expired before it was answered; retry the call to ask again.` };
    return this.outcome(call, rec, rec, rec.argsHash, true);
  }

  /** A retry carrying `requestState` (+ `inputResponses`): verify our signature and the binding. */
  private async modernRetry(call: HeldCall, hash: string): Promise<Settlement | undefined> {
    const st = verifyState(call.params.requestState, this.secret, this.now());
    if (!st || st.s !== call.session || st.t !== call.tool || st.h !== hash) {
      this.record(call, { event: "approval_denied", severity: "high", decision: "deny", rule: "approval-state-invalid", code: "APPROVAL_REQUIRED", reason: "a retry carried a requestState that is forged, expired, or bound to another call; ignored" });
      return undefined; // treat as a fresh call: ask again
    }
    const responses = call.params.inputResponses as Record<string, unknown> | undefined;
    const answer = responses && typeof responses === "object" ? responses.approval : undefined;
    if (answer === undefined) return undefined;
    return this.applyAnswer(call, st.a, answer, "elicitation");
  }

  /** Audits a decision made through this broker (elicitation). The page and the CLI audit their own. */
  auditDecision(r: ApprovalRecord, audit: AuditLog = this.audit): void {
    auditDecision(audit, r);
  }

  private watchExpiry(rec: ApprovalRecord): void {
    const t = setTimeout(() => {
      this.store.expire(rec.id).then((r) => r && auditExpiry(this.audit, r), (e: unknown) => this.log(`approval expiry check failed: ${(e as Error).message}`));
    }, Math.max(0, Date.parse(rec.expiresAt) - this.now()) + 50);
    t.unref?.();
  }

  /**
   * Audits requests that expired while no process watched them (their holder exited or crashed).
   * `serve` runs this at start and every minute, `wrap` at start; each expiry is audited once.
   */
  async sweepExpired(): Promise<number> {
    const expired = await this.store.sweepExpired();
    for (const r of expired) auditExpiry(this.audit, r);
    return expired.length;
  }

  pageUrl(id: string): string | undefined {
    return this.settings.publicUrl ? `${this.settings.publicUrl}/approvals#${id}` : undefined;
  }

  private record(call: HeldCall, e: Omit<AuditEntry, "session" | "server" | "tool" | "caller" | "layer" | "method">): void {
    this.audit.record({ session: call.session, caller: call.caller, server: call.server.name, method: "tools/call", tool: call.tool, layer: "approval", ...e });
  }
}

/** `approval_granted` / `approval_denied` with who decided, for any channel. */
export function auditDecision(audit: AuditLog, r: ApprovalRecord): void {
  const granted = r.status === "approved";
  audit.record({
    event: granted ? "approval_granted" : "approval_denied", severity: "medium", session: r.session, caller: r.caller, server: r.server, method: "tools/call", tool: r.tool,
    decision: granted ? "allow" : "deny", layer: "approval", rule: r.rule, ...(granted ? {} : { code: "APPROVAL_REQUIRED" }),
    reason: `${r.id} ${granted ? "approved" : "denied"} by ${r.decidedBy ?? "unknown"}${r.decisionReason ? `: ${r.decisionReason}` : ""}`,
    details: { approvalId: r.id, decidedBy: r.decidedBy, ...(r.forSession ? { forSession: r.forSession } : {}) },
  });
}

/** `approval_expired`: nobody decided before the request expired. */
export function auditExpiry(audit: AuditLog, r: ApprovalRecord): void {
  audit.record({
    event: "approval_expired", severity: "low", session: r.session, caller: r.caller, server: r.server, method: "tools/call", tool: r.tool,
    decision: "deny", layer: "approval", rule: r.rule, code: "APPROVAL_REQUIRED", reason: `approval ${r.id} expired unanswered at ${r.expiresAt}`, details: { approvalId: r.id },
  });
}

/** Redacted, pretty, truncated arguments for people to read. */
export function previewOf(args: unknown, server: ServerPolicy, max = 2000): string {
  // Zero data retention: the approval record is persisted (store, page, webhook), so it carries no payload.
  if (server.audit.zdr) {
    const bytes = Buffer.byteLength(JSON.stringify(args ?? {}) ?? "");
    return `(arguments withheld: zero data retention; ${bytes} bytes, bound to this call by their hash)`;
  }
  let text: string;
  try {
    text = JSON.stringify(redactValue(args ?? {}, server.redaction), null, 2) ?? "{}";
  } catch {
    text = "(arguments could not be shown)";
  }
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}
