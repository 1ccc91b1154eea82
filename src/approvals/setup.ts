import type { AuditLog } from "../audit/audit-record.js";
import { ConfigError } from "../errors/portcullis-error.js";
import { defaultStoreUrl, openStore } from "../store/open-store.js";
import type { Store } from "../store/store.js";
import { ApprovalBroker } from "./approval-broker.js";
import { approvalSecret } from "./approval-secret.js";
import { ApprovalStore } from "./approval-store.js";
import { approvalsOf } from "./approvals-config.js";

interface CfgLike {
  baseDir: string;
  stateDir: string;
  file?: string;
  loaded: { raw: unknown };
}

/**
 * The store approvals live in: `store.url` when set (shared with every gateway instance), else
 * `state.db` in the state directory, so `portcullis approvals` and the page see what `wrap` holds.
 * `configured` is the store the command opened from `store.url`. Returns `owned: true` when the
 * caller must close the returned store.
 */
export async function openApprovalStore(cfg: CfgLike, configured: Store): Promise<{ store: Store; owned: boolean }> {
  if ((cfg.loaded.raw as { store?: { url?: string } }).store?.url) return { store: configured, owned: false };
  // Several desktop clients may start `wrap`s at once on one state.db: wait for the lock, do not fail.
  return { store: await openStore(defaultStoreUrl(cfg.stateDir), cfg.baseDir, { sqlite: { busyTimeoutMs: 5000 } }), owned: true };
}

/** The broker a command uses, configured from `approvals:` (docs/approvals.md). */
export async function createApprovalBroker(cfg: CfgLike, store: Store, audit: AuditLog, opts: { webPage?: boolean; log?: (l: string) => void } = {}): Promise<ApprovalBroker> {
  let settings;
  try {
    settings = approvalsOf(cfg);
  } catch (e) {
    throw new ConfigError(`${cfg.file ?? "config"}: ${(e as Error).message}`);
  }
  return new ApprovalBroker({ store: new ApprovalStore(store), audit, secret: await approvalSecret(store), settings, webPage: opts.webPage, log: opts.log });
}
