import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import type { Store } from "../store/store.js";
import { APPROVAL_ID, isExpired, newApprovalId, parseApproval, type ApprovalRecord } from "./approval-record.js";

const REQ = "approvals:req:";
const GRANT = "approvals:grant:";
const SESSION_GRANT = "approvals:sgrant:";
/** Decided records stay listable this long after their expiry (for `approvals list --all`). */
const RETAIN_MS = 3600_000;

/** What a caller supplies for a new request; the store adds id, timestamps and status. */
export type NewApproval = Pick<ApprovalRecord, "session" | "server" | "tool" | "argsHash" | "argsPreview" | "reason" | "rule" | "layer" | "caller">;

/** What a grant key holds: which approval made it and who decided. */
export interface Grant {
  id: string;
  decidedBy: string;
}

export type DecideResult = { ok: true; record: ApprovalRecord } | { ok: false; why: "unknown" | "expired" | "decided"; record?: ApprovalRecord };

export interface Decision {
  approve: boolean;
  /** Who decided, e.g. "cli:alice", "web:key 1a2b3c", "elicitation:client". */
  by: string;
  reason?: string;
  /** "Approve this tool for this session": this many further calls of the tool, any arguments. */
  forSession?: number;
}

/**
 * Approvals in the shared store (SQLite or Redis), so any gateway instance and the CLI can resolve
 * them. A grant is bound to (session, server, tool, sha256 of the canonical arguments), expires
 * with the request, and is single-use: consuming it is an atomic `take`. Decisions move a record
 * from pending exactly once (compare-and-delete on the pending text).
 */
export class ApprovalStore {
  private readonly events = new EventEmitter();

  constructor(readonly store: Store, private readonly now: () => number = Date.now) {
    this.events.setMaxListeners(0);
  }

  async create(a: NewApproval, ttlMs: number): Promise<ApprovalRecord> {
    const now = this.now();
    for (;;) {
      const rec: ApprovalRecord = { v: 1, id: newApprovalId(), ...a, createdAt: new Date(now).toISOString(), expiresAt: new Date(now + ttlMs).toISOString(), status: "pending" };
      if (await this.store.set(REQ + rec.id, JSON.stringify(rec), { ttlMs: ttlMs + RETAIN_MS, ifAbsent: true })) return rec;
    }
  }

  async get(id: string): Promise<ApprovalRecord | undefined> {
    if (!APPROVAL_ID.test(id)) return undefined;
    return parseApproval(await this.store.get(REQ + id));
  }

  /** Pending, unexpired requests (oldest first); with `all`, decided and expired ones too. */
  async list(all = false): Promise<ApprovalRecord[]> {
    const now = this.now();
    const out: ApprovalRecord[] = [];
    for (const e of await this.store.list(REQ)) {
      const r = parseApproval(e.value);
      if (r && (all || (r.status === "pending" && !isExpired(r, now)))) out.push(r);
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Approves or denies a pending request, exactly once. Approval writes the grant(s) first. */
  async decide(id: string, d: Decision): Promise<DecideResult> {
    if (!APPROVAL_ID.test(id)) return { ok: false, why: "unknown" };
    const raw = await this.store.get(REQ + id);
    const rec = parseApproval(raw);
    if (!rec || raw === undefined) return { ok: false, why: "unknown" };
    if (rec.status === "expired") return { ok: false, why: "expired", record: rec };
    if (rec.status !== "pending") return { ok: false, why: "decided", record: rec };
    const now = this.now();
    if (isExpired(rec, now)) return { ok: false, why: "expired", record: rec };
    const next: ApprovalRecord = {
      ...rec, status: d.approve ? "approved" : "denied", decidedBy: d.by, decidedAt: new Date(now).toISOString(),
      ...(d.reason ? { decisionReason: d.reason.slice(0, 500) } : {}),
      ...(d.approve && d.forSession && d.forSession > 0 ? { forSession: d.forSession } : {}),
    };
    // The transition: only one decider removes the pending text.
    if (!(await this.store.compareAndDelete(REQ + id, raw))) {
      const again = await this.get(id);
      return { ok: false, why: again ? "decided" : "unknown", record: again };
    }
    const left = Date.parse(rec.expiresAt) - now;
    if (d.approve) {
      const grant = JSON.stringify({ id, decidedBy: d.by } satisfies Grant);
      await this.store.set(grantKey(rec.session, rec.server, rec.tool, rec.argsHash), grant, { ttlMs: left });
      for (let i = 0; i < (next.forSession ?? 0); i++) {
        await this.store.set(`${sessionGrantPrefix(rec.session, rec.server, rec.tool)}${id}:${i}`, grant, { ttlMs: left });
      }
    }
    await this.store.set(REQ + id, JSON.stringify(next), { ttlMs: left + RETAIN_MS });
    this.events.emit(id, next);
    return { ok: true, record: next };
  }

  /**
   * Marks a pending request past its expiry as `expired`, exactly once across every process sharing
   * the store (compare-and-delete, like a decision). Returns the record only to the process that
   * made the transition, which audits it: the expiry is audited once even if the holder died.
   */
  async expire(id: string): Promise<ApprovalRecord | undefined> {
    const raw = await this.store.get(REQ + id);
    const rec = parseApproval(raw);
    if (!rec || raw === undefined || rec.status !== "pending" || !isExpired(rec, this.now())) return undefined;
    if (!(await this.store.compareAndDelete(REQ + id, raw))) return undefined;
    const next: ApprovalRecord = { ...rec, status: "expired", decidedAt: rec.expiresAt };
    await this.store.set(REQ + id, JSON.stringify(next), { ttlMs: Math.max(1, Date.parse(rec.expiresAt) + RETAIN_MS - this.now()) });
    this.events.emit(id, next);
    return next;
  }

  /** Expires every pending request past its expiry (see `expire`); returns the ones this call expired. */
  async sweepExpired(): Promise<ApprovalRecord[]> {
    const now = this.now();
    const out: ApprovalRecord[] = [];
    for (const r of await this.list(true)) {
      if (r.status !== "pending" || !isExpired(r, now)) continue;
      const done = await this.expire(r.id);
      if (done) out.push(done);
    }
    return out;
  }

  /**
   * Uses up a grant for exactly this call, if one exists: first the grant for these arguments, then
   * one of the "for this session" grants for the tool. Atomic: two identical calls cannot share one.
   */
  async consume(session: string, server: string, tool: string, hash: string): Promise<Grant | undefined> {
    const exact = await this.store.take(grantKey(session, server, tool, hash));
    if (exact !== undefined) return parseGrant(exact);
    for (const e of await this.store.list(sessionGrantPrefix(session, server, tool))) {
      const v = await this.store.take(e.key);
      if (v !== undefined) return parseGrant(v);
    }
    return undefined;
  }

  /**
   * Waits until the request is decided or `deadline` (epoch ms) passes. Decisions made through this
   * object arrive at once; decisions from other processes (CLI, another gateway) by polling.
   */
  async wait(id: string, deadline: number, signal?: AbortSignal, pollMs = 250): Promise<ApprovalRecord | undefined> {
    for (;;) {
      const r = await this.get(id);
      if (r && r.status !== "pending") return r;
      const left = deadline - this.now();
      if (left <= 0 || signal?.aborted) return r;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.events.off(id, done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const t = setTimeout(done, Math.min(pollMs, left));
        this.events.on(id, done);
        signal?.addEventListener("abort", done, { once: true });
      });
    }
  }

  /** Calls `fn` when any request is decided through this object (the web page's live update). */
  onDecided(id: string, fn: (r: ApprovalRecord) => void): () => void {
    this.events.on(id, fn);
    return () => this.events.off(id, fn);
  }
}

function h(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 40);
}

function grantKey(session: string, server: string, tool: string, hash: string): string {
  return GRANT + h(session, server, tool, hash);
}

function sessionGrantPrefix(session: string, server: string, tool: string): string {
  return `${SESSION_GRANT}${h(session, server, tool)}:`;
}

function parseGrant(v: string): Grant {
  try {
    const g = JSON.parse(v) as Grant;
    if (typeof g.id === "string" && typeof g.decidedBy === "string") return g;
  } catch {
    // fall through
  }
  return { id: "ap_unknown", decidedBy: "unknown" };
}
