/** The fixed words of the policy language: a leaf module, so any layer can import them without cycles. */
export const TRUST_LEVELS = ["untrusted", "low", "medium", "high", "verified"] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];
export const APPROVAL_MODES = ["always", "never", "auto"] as const;
export const OUTBOUND_MODES = ["off", "block", "redact", "warn"] as const;
export const OPERATIONS = ["read", "search", "query", "write", "delete", "execute"] as const;
export type Operation = (typeof OPERATIONS)[number];
export const SENSITIVITY_LEVELS = ["public", "internal", "confidential", "restricted"] as const;
