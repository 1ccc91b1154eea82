import { z } from "zod";

export const APPROVAL_CHANNELS = ["elicitation", "web", "cli", "webhook"] as const;
export type ApprovalChannel = (typeof APPROVAL_CHANNELS)[number];

/**
 * The `approvals:` section of portcullis.yaml (docs/approvals.md). Exported so the config schema
 * can embed it (`approvals: approvalsSchema.optional()`); until then it is read defensively.
 */
export const approvalsSchema = z.strictObject({
  channels: z.array(z.enum(APPROVAL_CHANNELS)).optional().describe("Approval channels, tried in order; default [elicitation]"),
  timeout_s: z.number().positive().max(3600).optional().describe("How long a held call waits for a decision (default 120)"),
  no_channel_wait_s: z.number().min(0).max(3600).optional().describe("How long a held call waits when no channel is available (default: timeout_s)"),
  ttl_s: z.number().positive().max(86_400).optional().describe("Lifetime of an approval request and of a grant (default 300)"),
  webhook: z.strictObject({ url: z.string().url(), headers: z.record(z.string(), z.string()).optional() }).optional(),
  public_url: z.string().url().optional().describe("Where people reach `portcullis serve` (links in webhooks and denials)"),
  session_grant_max: z.number().int().positive().max(1000).optional().describe("Upper bound for 'approve for this session' (default 10)"),
});

export type RawApprovals = z.infer<typeof approvalsSchema>;

/** The effective approval settings; every field has its default. */
export interface ApprovalsSettings {
  channels: readonly ApprovalChannel[];
  timeoutMs: number;
  /** Waiting lets someone run `portcullis approvals approve ID` meanwhile; 0 refuses at once. */
  noChannelWaitMs: number;
  ttlMs: number;
  webhook?: { url: string; headers?: Record<string, string> };
  publicUrl?: string;
  sessionGrantMax: number;
}

export const APPROVAL_DEFAULTS: ApprovalsSettings = Object.freeze({
  channels: ["elicitation"] as const,
  timeoutMs: 120_000,
  noChannelWaitMs: 120_000,
  ttlMs: 300_000,
  sessionGrantMax: 10,
});

/**
 * Effective settings from a raw `approvals:` value (validated here, so a config written before the
 * schema knew the section still fails loudly instead of being half-applied).
 */
export function resolveApprovals(raw: unknown): ApprovalsSettings {
  if (raw === undefined || raw === null) return { ...APPROVAL_DEFAULTS };
  const r = approvalsSchema.safeParse(raw);
  if (!r.success) throw new RangeError(`approvals: ${r.error.issues.map((i) => `${i.path.join(".") || "(section)"}: ${i.message}`).join("; ")}`);
  const a = r.data;
  return {
    channels: a.channels ?? APPROVAL_DEFAULTS.channels,
    timeoutMs: (a.timeout_s ?? 120) * 1000,
    noChannelWaitMs: (a.no_channel_wait_s ?? a.timeout_s ?? 120) * 1000,
    ttlMs: (a.ttl_s ?? 300) * 1000,
    webhook: a.webhook,
    publicUrl: a.public_url?.replace(/\/+$/, ""),
    sessionGrantMax: a.session_grant_max ?? 10,
  };
}

/** Reads `approvals:` from a loaded config without depending on the schema knowing it yet. */
export function approvalsOf(cfg: { loaded: { raw: unknown } }): ApprovalsSettings {
  return resolveApprovals((cfg.loaded.raw as { approvals?: unknown } | undefined)?.approvals);
}

/** Per-tool `approval_for_session: N` (how many calls one "approve for this session" covers), if set. */
export function sessionGrantLimitOf(policy: { tools: { policies: Record<string, unknown> } }, tool: string, max: number): number {
  const n = (policy.tools.policies[tool] as { approval_for_session?: unknown } | undefined)?.approval_for_session;
  return typeof n === "number" && Number.isInteger(n) && n > 0 ? Math.min(n, max) : 0;
}
