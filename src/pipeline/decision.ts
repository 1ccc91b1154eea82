import type { ErrorCode } from "../errors/error-codes.js";

export type Severity = "info" | "low" | "medium" | "high" | "critical";

/** What a layer says about one message. Data, not action: the relay enforces it and audits it. */
export type Decision = AllowDecision | ModifyDecision | DenyDecision | HoldDecision;

export interface AllowDecision {
  kind: "allow";
}

/** Pass a changed message on (filtered tool list, redacted result, ...). */
export interface ModifyDecision {
  kind: "modify";
  message: Record<string, unknown>;
  rule: string;
  reason: string;
  /** Audit event name for the change, e.g. "tools_filtered", "response_sanitized". */
  event: string;
  severity?: Severity;
  details?: Record<string, unknown>;
  /** Session facts the relay records once it enforces this decision (e.g. "injection_seen"). */
  flags?: readonly string[];
}

export interface DenyDecision {
  kind: "deny";
  code: ErrorCode;
  rule: string;
  /** One sentence a person (or the model) can act on. */
  reason: string;
  event?: string;
  severity?: Severity;
  details?: Record<string, unknown>;
  /** Session facts the relay records once it enforces this decision. */
  flags?: readonly string[];
}

/** The message may proceed only after a human approves it. */
export interface HoldDecision {
  kind: "hold";
  rule: string;
  reason: string;
}

export const ALLOW: AllowDecision = Object.freeze({ kind: "allow" });

export function deny(code: ErrorCode, rule: string, reason: string, extra: Partial<Omit<DenyDecision, "kind" | "code" | "rule" | "reason">> = {}): DenyDecision {
  return { kind: "deny", code, rule, reason, ...extra };
}

export function hold(rule: string, reason: string): HoldDecision {
  return { kind: "hold", rule, reason };
}

export function modify(message: Record<string, unknown>, rule: string, reason: string, event: string, extra: Partial<Pick<ModifyDecision, "severity" | "details" | "flags">> = {}): ModifyDecision {
  return { kind: "modify", message, rule, reason, event, ...extra };
}
