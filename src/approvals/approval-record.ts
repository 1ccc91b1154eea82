import { createHash, randomBytes } from "node:crypto";
import { canonicalJson } from "../layers/pins/canonical-json.js";

/** `expired`: nobody decided in time; whichever process saw that first audited it. */
export type ApprovalStatus = "pending" | "approved" | "denied" | "expired";

/** One call waiting for (or settled by) a human. Stored as JSON under `approvals:req:<id>`. */
export interface ApprovalRecord {
  v: 1;
  /** "ap_" + 20 hex characters. */
  id: string;
  session: string;
  server: string;
  tool: string;
  /** sha256 of the canonical JSON of the arguments: the approval covers exactly these. */
  argsHash: string;
  /** Redacted, truncated, pretty arguments for people to read. Never used for matching. */
  argsPreview: string;
  /** Why approval is needed (the layer's sentence) and the rule that said so. */
  reason: string;
  rule: string;
  layer: string;
  caller?: string;
  createdAt: string;
  expiresAt: string;
  status: ApprovalStatus;
  decidedBy?: string;
  decidedAt?: string;
  decisionReason?: string;
  /** Approved for this many further identical-tool calls in the session (bounded by policy). */
  forSession?: number;
}

export function newApprovalId(): string {
  return `ap_${randomBytes(10).toString("hex")}`;
}

export const APPROVAL_ID = /^ap_[0-9a-f]{20}$/;

/** sha256 of canonical JSON: key order and spacing do not matter, every value does. */
export function argsHash(args: unknown): string {
  return createHash("sha256").update(canonicalJson(args ?? {})).digest("hex");
}

export function parseApproval(json: string | undefined): ApprovalRecord | undefined {
  if (json === undefined) return undefined;
  try {
    const r = JSON.parse(json) as ApprovalRecord;
    return r && r.v === 1 && typeof r.id === "string" && typeof r.status === "string" ? r : undefined;
  } catch {
    return undefined;
  }
}

/** Pending and past its expiry: nobody can decide it any more. */
export function isExpired(r: ApprovalRecord, now: number): boolean {
  return Date.parse(r.expiresAt) <= now;
}
