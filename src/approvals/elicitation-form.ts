import type { ApprovalRecord } from "./approval-record.js";

/**
 * The `elicitation/create` params (form mode) asking a person to approve one call: server, tool,
 * redacted arguments and the reason in the message, and an explicit "approve" checkbox (accepting
 * the form without ticking it is a denial: fail closed).
 */
export function approvalForm(rec: ApprovalRecord, sessionLimit: number): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    approve: { type: "boolean", title: `Allow ${rec.tool}`, description: "Tick to run this call once, with exactly these arguments.", default: false },
  };
  if (sessionLimit > 0) {
    properties.for_session = { type: "boolean", title: `Also allow the next ${sessionLimit} calls of ${rec.tool} in this session`, default: false };
  }
  return {
    mode: "form",
    message:
      `Portcullis: allow \`${rec.tool}\` on server "${rec.server}"?\n` +
      `Why approval is needed: ${rec.reason}.\n` +
      `Arguments:\n${rec.argsPreview}\n` +
      `(approval ${rec.id}, expires ${rec.expiresAt})`,
    requestedSchema: { type: "object", properties, required: ["approve"] },
  };
}

/** Reads an ElicitResult: only `accept` with `approve: true` approves. */
export function readElicitAnswer(result: unknown, sessionLimit: number): { approve: boolean; why?: string; forSession?: number } {
  const r = (typeof result === "object" && result !== null ? result : {}) as { action?: unknown; content?: Record<string, unknown> };
  if (r.action === "accept") {
    if (r.content?.approve === true) return { approve: true, forSession: sessionLimit > 0 && r.content.for_session === true ? sessionLimit : undefined };
    return { approve: false, why: "accepted without ticking approve" };
  }
  if (r.action === "decline") return { approve: false, why: "declined in the client" };
  if (r.action === "cancel") return { approve: false, why: "cancelled in the client" };
  return { approve: false, why: "the client sent no valid answer" };
}
