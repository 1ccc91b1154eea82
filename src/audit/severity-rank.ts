import type { Severity } from "../pipeline/decision.js";

const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** True when `s` is at least `min` (unknown severities count as info). */
export const atLeast = (s: string, min: Severity): boolean => (RANK[s as Severity] ?? 0) >= RANK[min];
