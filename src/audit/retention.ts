import type { Severity } from "../pipeline/decision.js";

/**
 * Retention classes. Security events are kept longer than routine traffic (the seed: 90 days for
 * everything, one year for security events). A rule may name an event ("tool_call"), a class
 * ("security", "operational") or "default"; the most specific one applies.
 */
export type RetentionRules = Record<string, number>;

const SECURITY_EVENTS = new Set([
  "access_denied", "rate_limited", "injection_detected", "response_sanitized", "approval_requested", "approval_granted",
  "approval_denied", "pin_changed", "auth_failure", "audit_failure", "audit_pruned",
]);

export function retentionClass(event: string, severity: Severity | undefined): "security" | "operational" {
  return SECURITY_EVENTS.has(event) || severity === "high" || severity === "critical" ? "security" : "operational";
}

/** Maximum age in ms for a record, or undefined to keep it forever. */
export function maxAgeFor(rules: RetentionRules, event: string, severity: Severity | undefined): number | undefined {
  return rules[event] ?? rules[retentionClass(event, severity)] ?? rules.default;
}
