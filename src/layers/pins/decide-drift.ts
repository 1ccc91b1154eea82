import { hashesOf, pinnedDefinition } from "./pin-hash.js";
import type { PendingPin, PendingReason, ServerPins, ToolPin } from "./pins-lock.js";

/** What happens to a tool that was never pinned: trust on first use, hide until approved, or list it but hold calls for approval. */
export type PinMode = "allow" | "block" | "review";
export const PIN_MODES: readonly PinMode[] = ["allow", "block", "review"];

export type ToolPinStatus =
  | { status: "pinned" }
  /** New tool, mode allow: pin it now. */
  | { status: "first-use" }
  /** New tool, mode review: listed, calls need approval until `pins approve`. */
  | { status: "review" }
  /** Not listed, not callable until approved. */
  | { status: "blocked"; reason: PendingReason; renamedFrom?: string };

/**
 * The pin status of one tool definition against a server's pins. Pure. A changed definition is
 * always blocked; a new name carrying the definition of another pinned tool is a rename and is
 * blocked too (rename evasion); any other new tool follows `mode`.
 */
export function pinStatus(name: string, def: Record<string, unknown>, pins: ServerPins | undefined, mode: PinMode): ToolPinStatus {
  const { hash, shape } = hashesOf(def);
  const pin = pins?.tools[name];
  if (pin) {
    if (pin.hash === hash) return PINNED;
    return { status: "blocked", reason: "changed" };
  }
  if (pins && shape !== undefined) {
    for (const [other, p] of Object.entries(pins.tools)) {
      if (other !== name && p.shape === shape) return { status: "blocked", reason: "renamed", renamedFrom: other };
    }
  }
  if (mode === "allow") return FIRST_USE;
  if (mode === "review") return REVIEW;
  return { status: "blocked", reason: "new" };
}

// The statuses without details are shared (frozen): every call to a pinned tool asks for one.
const PINNED: ToolPinStatus = Object.freeze({ status: "pinned" });
const FIRST_USE: ToolPinStatus = Object.freeze({ status: "first-use" });
const REVIEW: ToolPinStatus = Object.freeze({ status: "review" });

export interface DriftReport {
  /** Tools to hide from this listing, with why. */
  blocked: { name: string; reason: PendingReason; renamedFrom?: string }[];
  /** New tools pinned on first use. */
  firstUse: string[];
  /** New tools listed under review (calls held until approved). */
  review: string[];
  /** Pinned tools absent from a complete listing. */
  removed: string[];
  /** Lock changes to make: pins to add, pending entries to set or clear. Empty when nothing changed. */
  addPins: Record<string, ToolPin>;
  setPending: Record<string, PendingPin>;
  clearPending: string[];
}

/**
 * Compares one `tools/list` page against the pins. `allNames` is the full listing's names when
 * this page completes it (for removed-tool notes), undefined otherwise. Pure: `now` is passed in.
 */
export function decideDrift(tools: readonly Record<string, unknown>[], pins: ServerPins | undefined, mode: PinMode, now: string, allNames?: ReadonlySet<string>): DriftReport {
  const r: DriftReport = { blocked: [], firstUse: [], review: [], removed: [], addPins: {}, setPending: {}, clearPending: [] };
  for (const def of tools) {
    const name = def.name as string;
    const { hash, shape } = hashesOf(def);
    const s = pinStatus(name, def, pins, mode);
    const pending = pins?.pending[name];
    switch (s.status) {
      case "pinned":
        // The server went back to the pinned definition: nothing waits for approval any more.
        if (pending) r.clearPending.push(name);
        break;
      case "first-use":
        r.firstUse.push(name);
        r.addPins[name] = { hash, ...(shape ? { shape } : {}), definition: pinnedDefinition(def), pinned_at: now, via: "first-use" };
        break;
      case "review":
      case "blocked": {
        const reason: PendingReason = s.status === "review" ? "new" : s.reason;
        if (s.status === "review") r.review.push(name);
        else r.blocked.push({ name, reason, ...(s.renamedFrom ? { renamedFrom: s.renamedFrom } : {}) });
        if (!pending || pending.hash !== hash || pending.reason !== reason) {
          r.setPending[name] = {
            reason, hash, ...(shape ? { shape } : {}), definition: pinnedDefinition(def), seen_at: now,
            ...(s.status === "blocked" && s.renamedFrom ? { renamed_from: s.renamedFrom } : {}),
          };
        }
        break;
      }
    }
  }
  if (allNames && pins) for (const name of Object.keys(pins.tools)) if (!allNames.has(name)) r.removed.push(name);
  return r;
}

/** True when the report asks for a lockfile write. */
export function driftChangesLock(r: DriftReport): boolean {
  return Object.keys(r.addPins).length > 0 || Object.keys(r.setPending).length > 0 || r.clearPending.length > 0;
}
